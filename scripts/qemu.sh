#!/usr/bin/env bash
# Boots the appliance in QEMU on the fast path: microvm, PVH, KVM when
# it runs guests at hardware speed here (TCG otherwise; scripts/accel.sh),
# serial console on stdio, isa-debug-exit.
# Extra arguments go to QEMU (-kernel, -append, -initrd, -m, -smp, ...).
#
# QEMU's own exit status for isa-debug-exit is 2N+1; this script turns it
# back into the kernel's exit status N. Any other QEMU failure gives 125.
#
# Environment: QEMU_ACCEL=kvm|tcg forces an accelerator; QEMU_MEM (default
# 256M) sets -m unless the arguments give one; QEMU is the binary.
set -u

accel=$("$(dirname "$0")/accel.sh")
case $accel in
kvm) cpu=(-enable-kvm -cpu host,-arch-capabilities) ;;
tcg) cpu=(-accel tcg -cpu max) ;;
*) echo "qemu.sh: QEMU_ACCEL must be kvm or tcg, not '$accel'" >&2; exit 125 ;;
esac

mem=(-m "${QEMU_MEM:-256M}")
for a in "$@"; do [ "$a" = -m ] && mem=(); done

${QEMU:-qemu-system-x86_64} -M microvm,x-option-roms=off,rtc=off "${cpu[@]}" \
	"${mem[@]}" -nodefaults -no-user-config -nographic -no-reboot \
	-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 "$@"
rc=$?
if [ $((rc % 2)) -eq 1 ]; then
	exit $(((rc - 1) / 2))
fi
echo "qemu.sh: QEMU ended with status $rc without an exit status from the kernel" >&2
exit 125
