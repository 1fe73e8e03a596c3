#!/usr/bin/env bash
# NFS benchmark (docs/performance.md): nfs-ganesha in a network namespace
# (tests/lib/nfs-server.sh) exports a fresh directory; the guest mounts it
# and runs bench/progs/nfsbench (sequential write and read in 1 MiB calls,
# the read again in 4 KiB calls,
# then create/stat/unlink rates, from 1 and from 4 threads), over NFSv3,
# over NFSv4.0 (both writing behind), and over NFSv3 mounted `sync`
# (stable writes, as before write-behind). The peer is
# host-side libnfs on the same server in the same run: nfs-cp for the
# sequential transfers (1 stream, then 4 at once) and bench/progs/nfsmeta
# (libnfs's sync API) for the metadata rates (1 process, then 4). The
# second peer is a Linux VM (bench/linuxvm.sh: Debian's cloud kernel and
# its NFS client) running the same nfsbench on the same QEMU setup.
#
#   bench/nfs.sh build/kernel.elf [SIZE_MIB [META_FILES]]
set -eu
kernel=${1:?usage: nfs.sh KERNEL [SIZE_MIB [META_FILES]]}
size=${2:-256}
files=${3:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
# shellcheck source=bench/nfs-env.sh
source "$root/bench/nfs-env.sh"
# shellcheck source=bench/linuxvm.sh
source "$root/bench/linuxvm.sh"
nfs_bench_build
gcc -O2 -o "$out/nfsmeta" "$root/bench/progs/nfsmeta.c" -lnfs
linuxvm_initrd "$out/linuxvm-nfs.cpio" "$out/nfs-root/bin/nfsbench"
nfs_bench_server apbench
url=nfs://10.0.0.1/export

# guest LABEL QUERY: nfsbench in our guest, the export mounted with QUERY;
# its console in build/bench/nfs-guest.log.
guest() {
	echo "guest, $1 ($("$root/scripts/accel.sh"), -smp 2, nconnect=4), $size MiB, $files files:"
	bench_vm "$ns" "$out/nfs-guest.log" 1800 -smp 2 -m 2G \
		-kernel "$kernel" -initrd "$out/nfs.cpio" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-device,netdev=n0 \
		-append "ip=10.0.0.5/24 mount=/data,$url$2 init=/bin/nfsbench -- /data $size $files"
	bench_vm_figures "$out/nfs-guest.log" nfsbench: "the guest"
}
guest NFSv3 ""
guest NFSv4.0 "?version=4"
guest "NFSv3 sync" "?sync"

echo "Linux VM ($(basename "$(linuxvm_kernel)"), kernel NFS client, vers=3,nconnect=4), $size MiB, $files files:"
# Its whole console goes to a log: a run that prints no figures (it has
# hung in the past, after the guests' runs) says so and where to look.
linuxvm_log=$out/linuxvm-nfs.log
bench_vm "$ns" "$linuxvm_log" 900 -smp 2 -m 2G \
	-kernel "$(linuxvm_kernel)" -initrd "$out/linuxvm-nfs.cpio" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-device,netdev=n0 \
	-append "console=ttyS0 quiet linuxvm.ip=10.0.0.5/24 linuxvm.nfs=10.0.0.1:/export linuxvm.nfsopts=vers=3,nolock,tcp,nconnect=4 -- /bin/nfsbench /data $size $files"
bench_vm_figures "$linuxvm_log" nfsbench: "Linux VM"

# Host-side libnfs: the same server, from inside the namespace. The
# server is our child too, so waits name the pids they wait for.
src=$out/nfs-src
nsx() { ip netns exec "$ns" "$@"; }
# on4 CMD...: CMD with 0..3 appended, all four at once.
on4() {
	local pids=() i
	for i in 0 1 2 3; do
		"$@" "$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
}
up1() { nsx nfs-cp "$src" "$url/host-1" >/dev/null; }
down1() { nsx nfs-cp "$url/host-1" "$out/nfs-dst" >/dev/null; }
up() { nsx nfs-cp "$src.4" "$url/host-4-$1" >/dev/null; }
down() { nsx nfs-cp "$url/host-4-$1" "$out/nfs-dst-$1" >/dev/null; }
meta() { nsx "$out/nfsmeta" "$url" "/meta4-$1" $((files / 4)) >"$out/nfsmeta-$1.out"; }
# timed LABEL BYTES CMD...: how fast CMD moved BYTES.
timed() {
	local label=$1 bytes=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	"$@"
	t1=$(date +%s%N)
	awk -v l="$label" -v b="$bytes" -v t=$(((t1 - t0) / 1000)) \
		'BEGIN { printf "libnfs: %s %8.1f MB/s\n", l, b / t }'
}
echo "host libnfs (nfs-cp, nfsmeta), $size MiB, $files files:"
rm -f "$out"/nfs-dst*
head -c $((size << 20)) /dev/zero | tr '\0' 'a' >"$src"
head -c $((size / 4 << 20)) "$src" >"$src.4"
timed "write  1 stream " $((size << 20)) up1
timed "read   1 stream " $((size << 20)) down1
timed "write  4 streams" $((size / 4 * 4 << 20)) on4 up
timed "read   4 streams" $((size / 4 * 4 << 20)) on4 down
rm -f "$src" "$src.4" "$out"/nfs-dst*
nsx "$out/nfsmeta" "$url" /meta1 "$files" | sed 's/^nfsmeta:/libnfs: 1 process /'
on4 meta
for op in create stat unlink; do
	awk -v op="$op" '$2 == op { s += $3 } END { printf "libnfs: 4 processes %-6s %8.0f ops/s\n", op, s }' "$out"/nfsmeta-?.out
done
rm -f "$out"/nfsmeta-?.out
