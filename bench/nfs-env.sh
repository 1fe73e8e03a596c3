# shellcheck shell=bash
# What the NFS benchmarks share, sourced by bench/nfs.sh and
# bench/nfs-profile.sh after they set $root and $out:
#
#   nfs_bench_build          bench/progs/nfsbench into $out/nfs.cpio
#   nfs_bench_server NAME    a network namespace ($ns) with tap0 at
#                            10.0.0.1 and nfs-ganesha (tests/lib/nfs-server.sh)
#                            exporting a fresh $export_dir as /export;
#                            everything goes on EXIT, also on failure
#   nfs_bench_cleanup        what the EXIT trap runs (a caller's own
#                            trap calls it); a VM of bench_vm (bench/vm.sh,
#                            sourced here) is stopped too

: "${root:?}" "${out:?}"
# shellcheck source=tests/lib/nfs-server.sh
source "$root/tests/lib/nfs-server.sh"
# shellcheck source=bench/vm.sh
source "$root/bench/vm.sh"

nfs_bench_build() {
	mkdir -p "$out/nfs-root/bin"
	musl-gcc -static -O2 -o "$out/nfs-root/bin/nfsbench" "$root/bench/progs/nfsbench.c"
	(cd "$out/nfs-root" && find . | cpio -o -H newc --quiet) >"$out/nfs.cpio"
}

nfs_bench_cleanup() {
	bench_vm_stop
	nfs_server_stop
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$export_dir" "$work"
}

nfs_bench_server() {
	ns=$1-$$
	export_dir=$out/$1-export
	work=$out/$1-work
	trap nfs_bench_cleanup EXIT
	trap 'exit 143' TERM INT HUP
	rm -rf "$export_dir" "$work"
	mkdir -p "$export_dir" "$work"
	ip netns add "$ns"
	ip netns exec "$ns" ip tuntap add dev tap0 mode tap
	ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0
	ip netns exec "$ns" ip link set tap0 up
	nfs_server_start "$ns" 10.0.0.1 "$export_dir" "$work"
}
