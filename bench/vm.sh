# shellcheck shell=bash
# One benchmark VM at a time, sourced by bench/net.sh and (through
# bench/nfs-env.sh) the NFS benchmarks.
# The VM runs in the background and the script waits for it, so that a
# signal to the script is handled at once (bash runs a trap only between
# foreground commands) and its cleanup can stop the VM:
#
#   bench_vm NS LOG SECONDS QEMU_ARG...  scripts/qemu.sh in network
#                            namespace NS, at most SECONDS, its console
#                            (carriage returns dropped) in LOG
#   bench_vm_stop            stops a VM still running (for cleanups)
#   bench_vm_figures LOG PREFIX NAME   the lines of LOG that start with
#                            PREFIX; if none, says that NAME printed no
#                            figures and shows the end of LOG

: "${root:?}"
bench_vm_pid=

bench_vm() {
	local ns=$1 log=$2 seconds=$3
	shift 3
	ip netns exec "$ns" timeout "$seconds" "$root/scripts/qemu.sh" "$@" \
		>"$log.raw" 2>&1 &
	bench_vm_pid=$!
	wait "$bench_vm_pid" || true
	bench_vm_pid=
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
}

bench_vm_stop() {
	if [ -n "$bench_vm_pid" ]; then
		kill "$bench_vm_pid" 2>/dev/null || true
		wait "$bench_vm_pid" 2>/dev/null || true
		bench_vm_pid=
	fi
}

bench_vm_figures() {
	if ! grep "^$2" "$1"; then
		echo "$3 printed no figures; its console is in $1, ending:"
		tail -n 5 "$1"
	fi
}
