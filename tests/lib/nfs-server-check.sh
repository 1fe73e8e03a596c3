#!/usr/bin/env bash
# Self-check for tests/lib/nfs-server.sh: in a throwaway network namespace
# (a tap with no reader, as the VM tests will have before QEMU opens it)
# starts the server, moves random bytes both ways over NFSv3 and NFSv4
# with libnfs's nfs-cp, restarts the server, and stops it. Needs root.
# Cleans up (server, namespace, temp dir) even on failure.
#
#   tests/lib/nfs-server-check.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/nfs-server.sh
. "$here/nfs-server.sh"

ns=nfscheck$$
addr=10.0.0.1
tmp=
errs=0

cleanup() {
	nfs_server_stop
	ip netns del "$ns" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*" >&2
	errs=$((errs + 1))
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# nfs CMD ARGS...: a libnfs client command, from inside the namespace.
nfs() {
	timeout -k 1 20 ip netns exec "$ns" "$@"
}

# roundtrip TAG QUERY WSIZE: host -> NFS -> local (300000 bytes), then
# local -> NFS -> host (WSIZE bytes).
roundtrip() {
	local tag=$1 q=$2 wsize=$3 owner before=$errs
	head -c 300000 /dev/urandom >"$tmp/export/out-$tag"
	nfs nfs-cp "nfs://$addr/export/out-$tag$q" "$tmp/got-$tag" >/dev/null ||
		fail "$tag: nfs-cp from the server"
	cmp -s "$tmp/export/out-$tag" "$tmp/got-$tag" ||
		fail "$tag: bytes read over NFS differ"
	head -c "$wsize" /dev/urandom >"$tmp/in-$tag"
	nfs nfs-cp "$tmp/in-$tag" "nfs://$addr/export/in-$tag$q" >/dev/null ||
		fail "$tag: nfs-cp to the server"
	cmp -s "$tmp/in-$tag" "$tmp/export/in-$tag" ||
		fail "$tag: bytes written over NFS differ on the host"
	owner=$(stat -c %u:%g "$tmp/export/in-$tag" 2>/dev/null)
	[ "$owner" = 0:0 ] || fail "$tag: file written as root is owned by '$owner'"
	[ "$errs" -eq "$before" ] && echo "  $tag: read and write ok"
}

# Debian 12's libnfs 4.0.0 cannot send an NFSv4 WRITE of more than ~4 KB
# ("ZDR error: Failed to encode COMPOUND4args", client side, nothing
# reaches the server), so nfs-cp uploads over v4 stay small.
v4wsize=2048

[ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root" >&2; exit 1; }
echo "host daemons before: $(pgrep -d, -x ganesha.nfsd || echo none) ganesha," \
	"$(pgrep -d, -x rpcbind || echo none) rpcbind"

tmp=$(mktemp -d /tmp/nfs-server-check.XXXXXX) || exit 1
mkdir "$tmp/export"
# A tap nobody reads stays NO-CARRIER; local traffic to its address
# still works, as it goes through lo.
if ! { ip netns add "$ns" &&
	ip netns exec "$ns" ip tuntap add dev tap0 mode tap &&
	ip netns exec "$ns" ip addr add "$addr/24" dev tap0 &&
	ip netns exec "$ns" ip link set tap0 up; }; then
	echo "FAIL: netns setup" >&2
	exit 1
fi

t0=$(ms)
if ! nfs_server_start "$ns" "$addr" "$tmp/export" "$tmp/server"; then
	echo "FAIL: nfs_server_start" >&2
	exit 1
fi
echo "start: $(($(ms) - t0)) ms (pids $nfs_server_pids)"

roundtrip v3 "" 200000
roundtrip v4 "?version=4" "$v4wsize"

t0=$(ms)
if nfs_server_restart; then
	echo "restart: $(($(ms) - t0)) ms (pids $nfs_server_pids)"
	roundtrip v3-restarted "" 200000
	roundtrip v4-restarted "?version=4" "$v4wsize"
else
	fail "nfs_server_restart"
fi

pids=$nfs_server_pids
t0=$(ms)
nfs_server_stop || fail "nfs_server_stop"
echo "stop: $(($(ms) - t0)) ms"
for p in $pids; do
	[ -e "/proc/$p" ] && fail "pid $p still there after stop"
done
nfs_server_stop || fail "second nfs_server_stop"

if [ "$errs" -eq 0 ]; then
	echo PASS
else
	echo "FAIL ($errs)"
	exit 1
fi
