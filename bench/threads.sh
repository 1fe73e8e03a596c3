#!/usr/bin/env bash
# Threads and SMP benchmark (docs/performance.md): bench/progs/threadbench
# (static musl) splits a CPU-bound computation over 2 threads, booted at
# -smp 1 and at -smp 2 (the speedup), and runs on the host with the same
# thread count as the peer; it also times a futex hand-off between two
# threads and thread create+join, in the guest and on the host.
#
#   bench/threads.sh build/kernel.elf
set -eu
kernel=${1:?usage: threads.sh KERNEL}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out/threads-root/bin"
musl-gcc -static -O2 -o "$out/threads-root/bin/threadbench" \
	"$root/bench/progs/threadbench.c"
(cd "$out/threads-root" && find . | cpio -o -H newc --quiet) >"$out/threads.cpio"

for smp in 1 2; do
	echo "guest -smp $smp ($("$root/scripts/accel.sh")):"
	"$root/scripts/qemu.sh" -smp "$smp" -kernel "$kernel" \
		-initrd "$out/threads.cpio" -append "init=/bin/threadbench -- 2" |
		tr -d '\r' | grep '^threadbench:'
done
echo "host (Linux, same binary):"
"$out/threads-root/bin/threadbench" 2
