#!/usr/bin/env bash
# Root filesystem and syscall benchmark (docs/performance.md): boots the
# appliance with bench/progs/fsbench (static musl) in its initrd and
# prints what it measured in the guest: ramfs sequential write and read
# of MIB MiB against memcpy bandwidth in the same guest run, and getppid
# round trips. The same program on the host is printed as a reference.
#
#   bench/abi.sh build/kernel.elf [MIB]
set -eu
kernel=${1:?usage: abi.sh KERNEL [MIB]}
mib=${2:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out/root/bin" "$out/root/tmp"
musl-gcc -static -O2 -o "$out/root/bin/fsbench" "$root/bench/progs/fsbench.c"
(cd "$out/root" && find . | cpio -o -H newc --quiet) >"$out/fsbench.cpio"

echo "guest ($("$root/scripts/accel.sh")):"
"$root/scripts/qemu.sh" -m $((mib + 512))M -kernel "$kernel" \
	-initrd "$out/fsbench.cpio" -append "init=/bin/fsbench -- $mib" |
	tr -d '\r' | grep '^fsbench:'
echo "host (Linux, same binary, /tmp):"
"$out/root/bin/fsbench" "$mib"
