#!/usr/bin/env bash
# Boot benchmark (docs/performance.md).
#
#   bench/boot.sh build/kernel.elf [RUNS]
#
# 1. Whole-process wall time of QEMU booting the appliance to its exit
#    (no program: it exits right after boot) against an empty PVH kernel
#    that only writes to port 0xf4, same QEMU flags, runs interleaved, in
#    the same run. Medians.
# 2. The guest-measured boot time ("appliance: booted in X ms", from the
#    first kernel instruction to where the program would start). Median.
# 3. The least -m (MiB) with which the appliance still boots.
set -u
kernel=${1:?usage: boot.sh KERNEL [RUNS]}
runs=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
mkdir -p "$out"

gcc -m32 -c "$root/bench/empty-pvh.S" -o "$out/empty-pvh.o" &&
	ld -m elf_i386 -Ttext=0x100000 -e empty_entry -o "$out/empty-pvh.elf" "$out/empty-pvh.o" ||
	{ echo "bench: cannot build the empty PVH kernel" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$out/empty.ns"
: >"$out/kernel.ns"
: >"$out/guest.us"
for ((i = 0; i < runs; i++)); do
	t0=$(now_ns)
	"$root/scripts/qemu.sh" -kernel "$out/empty-pvh.elf" >/dev/null 2>&1
	t1=$(now_ns)
	"$root/scripts/qemu.sh" -kernel "$kernel" -append "" >"$out/boot.log" 2>&1
	st=$?
	t2=$(now_ns)
	if [ "$st" -ne 1 ]; then
		echo "bench: the appliance exited $st, want 1 (no program); log:" >&2
		cat "$out/boot.log" >&2
		exit 1
	fi
	echo $((t1 - t0)) >>"$out/empty.ns"
	echo $((t2 - t1)) >>"$out/kernel.ns"
	sed -nE 's/.*appliance: booted in ([0-9]+)\.([0-9]{3}) ms.*/\1\2/p' "$out/boot.log" >>"$out/guest.us"
done
empty_ms=$(median <"$out/empty.ns" | awk '{ printf "%.1f", $1 / 1e6 }')
kernel_ms=$(median <"$out/kernel.ns" | awk '{ printf "%.1f", $1 / 1e6 }')
guest_ms=$(median <"$out/guest.us" | awk '{ printf "%.3f", $1 / 1e3 }')
added_ms=$(awk -v a="$kernel_ms" -v b="$empty_ms" 'BEGIN { printf "%.1f", a - b }')

# The least -m that boots, by bisection over [1, 64] MiB.
boots() {
	"$root/scripts/qemu.sh" -m "${1}M" -kernel "$kernel" -append "" >"$out/mem.log" 2>&1
	[ $? -eq 1 ] && grep -q "booted in" "$out/mem.log"
}
lo=1
hi=64
if ! boots $hi; then
	echo "bench: the appliance does not boot in ${hi} MiB" >&2
	exit 1
fi
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	if boots $mid; then hi=$mid; else lo=$mid; fi
done

accel=$("$root/scripts/accel.sh")
echo "boot benchmark: $runs runs each, accelerator $accel, QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}')"
echo "| measure | appliance | empty PVH kernel | difference |"
echo "| --- | --- | --- | --- |"
echo "| QEMU process wall time, median | ${kernel_ms} ms | ${empty_ms} ms | +${added_ms} ms |"
echo "| guest-measured boot (first instruction to program start), median | ${guest_ms} ms | | |"
echo "| least -m that boots | ${hi} MiB | | |"
