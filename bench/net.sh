#!/usr/bin/env bash
# TCP benchmark (docs/performance.md): bench/progs/tcpbench in the guest
# sends MIB MiB to a server on the host side of the tap, receives MIB MiB
# from it, and times N 64-byte round trips. The peer is the Linux VM
# (bench/linuxvm.sh: Debian's cloud kernel) running the same static binary
# on the same QEMU setup, against the same server, in the same run.
#
#   bench/net.sh build/kernel.elf [MIB [N]]
set -eu
kernel=${1:?usage: net.sh KERNEL [MIB [N]]}
mib=${2:-256}
n=${3:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out/net-root/bin"
musl-gcc -static -O2 -o "$out/net-root/bin/tcpbench" "$root/bench/progs/tcpbench.c"
(cd "$out/net-root" && find . | cpio -o -H newc --quiet) >"$out/net.cpio"
# shellcheck source=bench/linuxvm.sh
source "$root/bench/linuxvm.sh"
# shellcheck source=bench/vm.sh
source "$root/bench/vm.sh"
linuxvm_initrd "$out/linuxvm-net.cpio" "$out/net-root/bin/tcpbench"

ns=apnet-$$
server=
# Under set -e, each step must not fail: the VM, the server and the
# namespace must always go, also when the script is stopped mid-run.
cleanup() {
	bench_vm_stop
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev tap0 mode tap
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0
ip netns exec "$ns" ip link set tap0 up
ip netns exec "$ns" "$out/net-root/bin/tcpbench" serve "$mib" &
server=$!

# shellcheck disable=SC2054 # commas belong to QEMU's option values
net=(-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-device,netdev=n0)
# vm NAME QEMU_ARG...: one VM's run of tcpbench, its whole console kept
# in build/bench/net-NAME.log. A run that prints no figures (the Linux VM
# has hung before, until the timeout) says so and where to look.
vm() {
	local log=$out/net-$1.log
	shift
	bench_vm "$ns" "$log" 300 -smp 2 "${net[@]}" "$@"
	bench_vm_figures "$log" tcpbench: "the VM"
}
echo "guest ($("$root/scripts/accel.sh"), -smp 2), $mib MiB each way, $n round trips:"
vm guest -kernel "$kernel" -initrd "$out/net.cpio" \
	-append "ip=10.0.0.5/24 init=/bin/tcpbench -- client 10.0.0.1 $mib $n"
echo "Linux VM ($(basename "$(linuxvm_kernel)")), same:"
vm linuxvm -kernel "$(linuxvm_kernel)" -initrd "$out/linuxvm-net.cpio" \
	-append "console=ttyS0 quiet linuxvm.ip=10.0.0.5/24 -- /bin/tcpbench client 10.0.0.1 $mib $n"
