# shellcheck shell=bash
# PCI cases, sourced by tests/vm/run.sh: QEMU's q35 and pc machines, where
# SeaBIOS runs before the kernel and devices are virtio-pci functions.
# MSI-X is what QEMU gives by default; `vectors=0` takes it away, leaving
# the INTx line. run.sh's variables (log, ns, status, errs) are used and
# set here:
# shellcheck disable=SC2154,SC2034

# virtio-rng: the self-test reads the device twice and checks that its
# interrupts arrived.
pci_rng_case() {
	local name=$1 machine=$2 device=$3 irq=$4
	QEMU_MACHINE=$machine boot "$name" "loglevel=6 selftest=virtio_rng" -device "$device"
	want_status 0
	want_text "virtio-rng: ready at pci 00:"
	want_regex "virtio: pci 00:0[0-9a-f]\.0: $irq"
	want_text "selftest: 1 passed, 0 failed"
	lack_text "no device"
}
case_pci_rng_msix() { pci_rng_case pci_rng_msix q35 virtio-rng-pci "MSI-X, 1 vector"; }
case_pci_rng_intx() { pci_rng_case pci_rng_intx pc virtio-rng-pci,vectors=0 "INTx on line [0-9]+"; }

case_pci_net_msix() {
	QEMU_MACHINE=q35 netns_nic=virtio-net-pci net_echo_case pci_net_msix
	want_regex "virtio: pci 00:0[0-9a-f]\.0: MSI-X, 2 vectors"
	want_text "rx checksum, rx TSO4"
}
case_pci_net_intx() {
	QEMU_MACHINE=pc netns_nic=virtio-net-pci,vectors=0 net_echo_case pci_net_intx
	want_regex "virtio: pci 00:0[0-9a-f]\.0: INTx on line [0-9]+"
}

# A NIC behind a PCIe root port: bus 1, found through the bridge. Behind
# a PCIe port QEMU makes it modern-only (device 0x1041), with 64-bit BARs.
case_pci_bridge() {
	QEMU_MACHINE=q35 netns_qemu="-device pcie-root-port,id=rp1,chassis=1" \
		netns_nic=virtio-net-pci,bus=rp1 net_echo_case pci_bridge
	want_text "virtio-net: 52:54:00:12:34:56 at pci 01:00.0"
}

# A legacy-only device is named and left alone; the boot goes on.
case_pci_legacy_only() {
	QEMU_MACHINE=q35 boot pci_legacy_only "selftest=virtio_rng" \
		-device virtio-rng-pci,disable-modern=true
	want_status 0
	want_text "legacy-only device 4, not supported"
	want_text "selftest: 1 passed, 0 failed"
}

# NFS through a PCI NIC with MSI-X, 8 threads on 2 vCPUs.
case_pci_nfs_threads() {
	QEMU_MACHINE=q35 netns_nic=virtio-net-pci nfs_threads_case pci_nfs_threads
}

# The line of INTx device $1 ("00:02.0") in the console log.
intx_line_of() {
	tr -d '\r' <"$log" | sed -n "s/.*virtio: pci $1: INTx on line \([0-9]*\)$/\1/p"
}

# Devices sharing an INTx line (SeaBIOS puts slots 2 and 5 on one line):
# the rng, first of four, still gets its interrupts...
case_pci_intx_shared_rng() {
	QEMU_MACHINE=pc boot pci_intx_shared_rng "loglevel=6 selftest=virtio_rng" \
		-device virtio-rng-pci,vectors=0 -device virtio-net-pci,vectors=0 \
		-device virtio-net-pci,vectors=0 -device virtio-net-pci,vectors=0
	want_status 0
	want_text "selftest: 1 passed, 0 failed"
	[ -n "$(intx_line_of 00:02.0)" ] && [ "$(intx_line_of 00:02.0)" = "$(intx_line_of 00:05.0)" ] ||
		errs+=("00:02.0 and 00:05.0 are not on one line: the case tests nothing")
}

# ... and a NIC carries traffic when a device probed after it (the rng,
# put in slot 5) joins its line.
case_pci_intx_shared_net() {
	QEMU_MACHINE=pc netns_qemu="-device virtio-rng-pci,vectors=0,addr=5" \
		netns_nic=virtio-net-pci,vectors=0 net_echo_case pci_intx_shared_net
	[ -n "$(intx_line_of 00:02.0)" ] && [ "$(intx_line_of 00:02.0)" = "$(intx_line_of 00:05.0)" ] ||
		errs+=("00:02.0 and 00:05.0 are not on one line: the case tests nothing")
}
