#!/usr/bin/env bash
# Boots the appliance in QEMU, by default on the fast path: microvm, PVH,
# KVM when it runs guests at hardware speed here (TCG otherwise;
# scripts/accel.sh), serial console on stdio, isa-debug-exit.
# Extra arguments go to QEMU (-kernel, -append, -initrd, -m, -smp, ...).
#
# The script exits with the kernel's exit status N, read from the console's
# last line "appliance: exit status N" when QEMU ended through
# isa-debug-exit (its own status is then 2N+1, cut to 8 bits). Any other
# QEMU ending gives 125.
#
# Environment: QEMU_ACCEL=kvm|tcg forces an accelerator; QEMU_MACHINE is
# microvm (the default: virtio-mmio devices, `-device virtio-*-device`) or
# q35 or pc (firmware, PCI: `-device virtio-*-pci`); QEMU_MEM (default
# 256M) sets -m unless the arguments give one; QEMU is the binary.
set -u

accel=$("$(dirname "$0")/accel.sh")
case $accel in
kvm) cpu=(-enable-kvm -cpu host,-arch-capabilities) ;;
tcg) cpu=(-accel tcg -cpu max) ;;
*) echo "qemu.sh: QEMU_ACCEL must be kvm or tcg, not '$accel'" >&2; exit 125 ;;
esac

case ${QEMU_MACHINE:-microvm} in
microvm) machine=(-M microvm,x-option-roms=off,rtc=off -global virtio-mmio.force-legacy=false) ;;
q35 | pc) machine=(-M "$QEMU_MACHINE") ;;
*) echo "qemu.sh: QEMU_MACHINE must be microvm, q35 or pc, not '$QEMU_MACHINE'" >&2; exit 125 ;;
esac

mem=(-m "${QEMU_MEM:-256M}")
for a in "$@"; do [ "$a" = -m ] && mem=(); done

# The console goes to stdout and to a file the status is read from: QEMU's
# own exit code keeps only 7 bits of the kernel's status (2N+1).
console=$(mktemp)
trap 'rm -f "$console"' EXIT
set -o pipefail
${QEMU:-qemu-system-x86_64} "${machine[@]}" "${cpu[@]}" \
	"${mem[@]}" -nodefaults -no-user-config -nographic -no-reboot \
	-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" |
	tee "$console"
rc=$?
status=$(tr -d '\r' <"$console" | sed -n 's/^appliance: exit status \([0-9]*\)$/\1/p' | tail -n 1)
if [ $((rc % 2)) -eq 1 ] && [ -n "$status" ]; then
	exit "$status"
fi
echo "qemu.sh: QEMU ended with status $rc without an exit status from the kernel" >&2
exit 125
