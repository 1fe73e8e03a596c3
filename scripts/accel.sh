#!/usr/bin/env bash
# Prints the QEMU accelerator the appliance should use here: "kvm" when
# /dev/kvm can run it at hardware speed, else "tcg". QEMU_ACCEL overrides.
#
# /dev/kvm is not enough: on hosts where KVM is PVM (the kvm_pvm module,
# a nested hypervisor without hardware virtualization), a guest that is
# not PVM-aware runs in KVM's instruction emulator: measured here 500x
# slower than TCG, and SSE instructions (xorps, ldmxcsr) end the VM with
# "KVM internal error". Such a host gets TCG.
set -u
if [ -n "${QEMU_ACCEL:-}" ]; then
	echo "$QEMU_ACCEL"
elif ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo tcg
elif [ -d /sys/module/kvm_pvm ]; then
	echo tcg
else
	echo kvm
fi
