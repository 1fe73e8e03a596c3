#!/usr/bin/env bash
# Where the time of one NFS transfer goes (docs/performance.md): nfs-ganesha
# in a network namespace (tests/lib/nfs-server.sh) exports a fresh
# directory, and one VM runs one phase of bench/progs/nfsbench on it (a
# write by default). While it runs, the script measures for 3 s how busy
# the host's CPUs are and how much of a CPU each QEMU and ganesha thread
# takes; with --profile, scripts/vcpu-profile.py also samples the guest's
# vCPUs with call chains, 4 callers deep, for 6 s.
#
#   bench/nfs-profile.sh KERNEL [--linux] [--profile] [THREADS [SIZE_MIB [PHASE]]]
#
# THREADS is 1 or 4 (default 4), SIZE_MIB the total (default 1024), PHASE
# one of nfsbench's (default write; for read and read4k, the files a
# write would leave are written on the host first). --linux runs the
# Linux VM peer (bench/linuxvm.sh) instead of the appliance.
set -eu
kernel=${1:?usage: nfs-profile.sh KERNEL [--linux] [--profile] [THREADS [SIZE_MIB [PHASE]]]}
shift
linux=0 profile=0
while [ $# -gt 0 ]; do
	case $1 in
	--linux) linux=1 ;;
	--profile) profile=1 ;;
	*) break ;;
	esac
	shift
done
threads=${1:-4}
size=${2:-1024}
phase=${3:-write}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
# shellcheck source=bench/nfs-env.sh
source "$root/bench/nfs-env.sh"
# shellcheck source=bench/linuxvm.sh
source "$root/bench/linuxvm.sh"
nfs_bench_build
console=$out/nfs-profile.log
cleanup() {
	[ -n "${vm:-}" ] && kill "$vm" 2>/dev/null
	nfs_bench_cleanup
}
nfs_bench_server approfile
trap cleanup EXIT

reading=0
case $phase in
read | read4k)
	reading=1
	for i in $(seq 0 $((threads - 1))); do
		head -c $((size / threads))M /dev/urandom >"$export_dir/seq-$i"
	done
	;;
esac

args="/data $size 0 $threads $phase"
# shellcheck disable=SC2054 # the commas are QEMU's, inside one argument
net=(-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
	-device virtio-net-device,netdev=n0 -name nfs-profile,debug-threads=on)
if [ $linux = 1 ]; then
	linuxvm_initrd "$out/linuxvm-nfs.cpio" "$out/nfs-root/bin/nfsbench"
	echo "Linux VM ($(basename "$(linuxvm_kernel)"), vers=3,nconnect=4): nfsbench $args"
	vmargs=(-kernel "$(linuxvm_kernel)" -initrd "$out/linuxvm-nfs.cpio"
		-append "console=ttyS0 quiet linuxvm.ip=10.0.0.5/24 linuxvm.nfs=10.0.0.1:/export linuxvm.nfsopts=vers=3,nolock,tcp,nconnect=4 -- /bin/nfsbench $args")
	profile=0
else
	echo "guest ($("$root/scripts/accel.sh"), -smp 2, nconnect=4): nfsbench $args"
	vmargs=(-kernel "$kernel" -initrd "$out/nfs.cpio"
		-append "loglevel=6 ip=10.0.0.5/24 mount=/data,nfs://10.0.0.1/export init=/bin/nfsbench -- $args")
	[ $profile = 1 ] && vmargs+=(-s -S)
fi
ip netns exec "$ns" timeout 900 "$root/scripts/qemu.sh" -smp 2 -m 2G \
	"${net[@]}" "${vmargs[@]}" >"$console" 2>&1 &
vm=$!
if [ $profile = 1 ]; then
	# The VM waits for the profiler; lwIP's address is in its log.
	ip netns exec "$ns" python3 "$root/scripts/vcpu-profile.py" \
		--kernel "$kernel" --lwip-base 0xffffffffc0000000 \
		--delay 4 --duration 6 --top 30 --stack 4 >"$out/nfs-profile.txt" &
	prof=$!
fi

# The transfer has begun when its first file shows on the server; a
# read's files are there before it, so then when the appliance has
# mounted the export (the Linux VM, which does not say, gets 3 s).
begun() {
	if [ $reading = 0 ]; then
		compgen -G "$export_dir/seq-*" >/dev/null
	elif [ $linux = 0 ]; then
		grep -qa 'vfs: mounted nfs:' "$console"
	else
		sleep 3
	fi
}
for _ in $(seq 600); do
	begun && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 0.1
done
sleep 1
# The host's CPU line and the CPU times (utime + stime, in ticks) of
# QEMU's and ganesha's threads, before and after 3 s; threads of one name
# (ganesha's workers) are summed.
snapshot() {
	head -n 1 /proc/stat
	for p in $(pgrep -f 'qemu-system|ganesha.nfsd'); do
		for t in /proc/"$p"/task/*; do
			printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" \
				"$(awk '{ print $14 + $15 }' "$t/stat")"
		done
	done 2>/dev/null
}
snapshot >"$work/cpu-before"
sleep 3
snapshot >"$work/cpu-after"
awk -v hz="$(getconf CLK_TCK)" '
	FNR == 1 {
		all = 0
		for (i = 2; i <= NF; i++) all += $i
		total[NR == 1] = all; idle[NR == 1] = $5 + $6
		next
	}
	NR == FNR { before[$1] = $3; next }
	$1 in before { used[$2] += $3 - before[$1]; n[$2]++ }
	END {
		printf "host CPUs busy: %.0f%%\n",
			100 * (1 - (idle[0] - idle[1]) / (total[0] - total[1]))
		for (t in used)
			if (used[t] > 0)
				printf "  %5.1f%% of a CPU: %s (%d threads)\n",
					100 * used[t] / hz / 3, t, n[t]
	}' "$work/cpu-before" "$work/cpu-after" | sort -rn
wait "$vm" || true
vm=
grep -E '^nfsbench:|error' "$console" | tr -d '\r' || true
if [ $profile = 1 ]; then
	wait "$prof" || true
	cat "$out/nfs-profile.txt"
fi
