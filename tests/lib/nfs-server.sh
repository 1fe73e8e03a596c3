# shellcheck shell=bash
# Starts and stops a real NFS server (nfs-ganesha with FSAL_VFS, plus
# rpcbind so NFSv3 clients can find MOUNT) inside an existing network
# namespace. Sourced by test scripts; needs root. Every wait is bounded.
#
#   nfs_server_start NS ADDR DIR WORKDIR
#	Exports the host directory DIR as /export (NFSv3 and NFSv4, RW,
#	no root squash, AUTH_SYS, TCP only) on ADDR, an address already up
#	in network namespace NS (lo is brought up there too, see below),
#	and an empty WORKDIR/denied as /denied, which no client may use.
#	Config, logs, pid file and the NFSv4 recovery directory all go in
#	WORKDIR. Returns 0 once both nfs://ADDR/export and
#	nfs://ADDR/export?version=4 answer nfs-ls from inside NS; otherwise
#	(daemon died, or not ready after NFS_SERVER_TIMEOUT seconds, default
#	20) returns 1 with the reason and ganesha's log on stderr, having
#	stopped everything it started.
#	With NFS_SERVER_EXPORT_MIB=N, DIR is covered (for the server only)
#	by an N MiB tmpfs that goes with the daemons: a full server.
#   nfs_server_restart
#	Stops ganesha only (rpcbind stays) and starts it again with the same
#	config and the same readiness wait. On failure everything is stopped.
#   nfs_server_stop
#	Stops whatever start left running (ganesha, then rpcbind: SIGTERM,
#	SIGKILL after 10 s); idempotent, also after a half-done start.
#
# Sets nfs_server_pids ("RPCBIND_PID GANESHA_PID" while running, empty
# once stopped) and nfs_server_log (ganesha's log file).
#
# Isolation: the netns isolates ports, but rpcbind's unix socket
# (/run/rpcbind.sock) and lock file (/run/rpcbind.lock) live in the file
# system, and ganesha registers with whatever listens on
# /run/rpcbind.sock. So both daemons run in a private mount namespace
# with a fresh tmpfs on /run: they never see, register with, or get
# locked out by a host rpcbind (or the ganesha apt may have started),
# and what they write under /run (socket, lock, /run/ganesha, rpcbind's
# state on exit) vanishes with them. Hence DIR and WORKDIR must not be
# under /run. Nothing else is written outside WORKDIR: ganesha's log, pid
# file and recovery root (default /var/lib/nfs/ganesha) are pointed
# there, and with no D-Bus socket in the private /run it does not touch
# the system bus (it logs CRIT lines about that; harmless). The only
# change outside: lo is set up in NS.
#
# NFSv4 grace: by default the server is graceless, so NFSv4 clients can
# OPEN right after start/restart instead of getting NFS4ERR_GRACE for up
# to 90 s (ganesha's default, cut short only if every client recorded in
# the recovery dir reclaims; libnfs clients never do). The price: state
# reclaim after a restart fails with NFS4ERR_NO_GRACE, so clients must
# open afresh. NFS_SERVER_GRACE=N (seconds) gives a real N-second grace
# period and lease instead; note that readiness (READDIR) does not wait
# for grace to end, only OPEN/CREATE are refused during it.
#
# If the calling script dies without running nfs_server_stop (e.g.
# SIGKILL), the daemons stay; kill the pids in $nfs_server_pids.

# shellcheck disable=SC2034 # nfs_server_log is for callers
nfs_server_pids=
nfs_server_log=
_nfs_ns=
_nfs_addr=
_nfs_work=
_nfs_rpcbind=
_nfs_ganesha=

# _nfs_alive PID NAME: true if PID is a live (not zombie) process whose
# command is NAME; checking the name guards against recycled pids.
_nfs_alive() {
	local stat
	[ -n "$1" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	case $stat in
	"$1 ($2) Z "*) return 1 ;;
	"$1 ($2) "*) return 0 ;;
	esac
	return 1
}

# _nfs_gone PID: true if PID has exited (possibly still a zombie).
_nfs_gone() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	case ${stat##*) } in
	Z*) return 0 ;;
	esac
	return 1
}

# _nfs_kill PID NAME: if PID is NAME, SIGTERM, up to ~10 s, then SIGKILL,
# up to ~5 s more. Reaps it if it is our child, as a zombie would still
# look alive to kill -0 (wait only once it is gone: it would block).
_nfs_kill() {
	local pid=$1 name=$2 i
	if _nfs_alive "$pid" "$name"; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			_nfs_alive "$pid" "$name" || break
			sleep 0.1
		done
		if _nfs_alive "$pid" "$name"; then
			echo "nfs-server: $name ($pid) ignored SIGTERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null
			for ((i = 0; i < 50; i++)); do
				_nfs_alive "$pid" "$name" || break
				sleep 0.1
			done
		fi
	fi
	if _nfs_gone "$pid"; then
		wait "$pid" 2>/dev/null
	fi
	! _nfs_alive "$pid" "$name"
}

# _nfs_probe URL: one bounded nfs-ls from inside the namespace.
_nfs_probe() {
	timeout -k 1 3 ip netns exec "$_nfs_ns" nfs-ls "$1" >/dev/null 2>&1
}

# _nfs_fail MESSAGE: reports with the logs' tails, stops everything.
_nfs_fail() {
	local f log=$_nfs_work/ganesha.log
	echo "nfs-server: $1" >&2
	if [ -s "$log" ]; then
		# The useful line (e.g. a config syntax error) is often buried
		# under routine noise, so show warnings and errors first, minus
		# the ones every start here logs (no D-Bus, no Kerberos, no RADOS).
		echo "--- warnings/errors in $log ---" >&2
		grep -E ':(WARN|CRIT|MAJ|FATAL) :' "$log" |
			grep -v -E 'DBUS|krb5|keytab|principal nfs|RADOS' | tail -n 15 >&2
		echo "--- tail of $log ---" >&2
		grep -v svc_vc_wait "$log" | tail -n 10 >&2
	fi
	for f in "$_nfs_work/ganesha.out" "$_nfs_work/rpcbind.out"; do
		[ -s "$f" ] || continue
		echo "--- tail of $f ---" >&2
		tail -n 10 "$f" >&2
	done
	nfs_server_stop
	return 1
}

# _nfs_ganesha_start: starts ganesha in rpcbind's mount and network
# namespaces and waits until both NFSv3 and NFSv4 answer.
_nfs_ganesha_start() {
	local limit=${NFS_SERVER_TIMEOUT:-20} deadline
	# nsenter execs (no fork), so $! is ganesha's own pid. Stdio goes to
	# files so that a caller capturing our output does not hang on the
	# daemon holding its pipe.
	nsenter --target "$_nfs_rpcbind" --mount --net -- \
		ganesha.nfsd -F -f "$_nfs_work/ganesha.conf" \
		-L "$_nfs_work/ganesha.log" -N NIV_EVENT \
		-p "$_nfs_work/ganesha.pid" \
		</dev/null >>"$_nfs_work/ganesha.out" 2>&1 &
	_nfs_ganesha=$!
	nfs_server_pids="$_nfs_rpcbind $_nfs_ganesha"
	deadline=$((SECONDS + limit))
	while :; do
		# E.g. a config error or port 2049 taken: ganesha exits at once,
		# so don't sit out the deadline.
		if _nfs_gone "$_nfs_ganesha"; then
			_nfs_fail "ganesha.nfsd exited during startup"
			return 1
		fi
		if _nfs_probe "nfs://$_nfs_addr/export" &&
			_nfs_probe "nfs://$_nfs_addr/export?version=4"; then
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			_nfs_fail "nfs://$_nfs_addr/export (v3 and v4) not ready after ${limit}s"
			return 1
		fi
		sleep 0.1
	done
}

nfs_server_start() {
	local ns=${1:-} addr=${2:-} dir=${3:-} work=${4:-} i v4
	if [ $# -ne 4 ] || [ -z "$ns" ] || [ -z "$addr" ]; then
		echo "usage: nfs_server_start NS ADDR DIR WORKDIR" >&2
		return 2
	fi
	if [ -n "$nfs_server_pids" ]; then
		echo "nfs-server: already started ($nfs_server_pids)" >&2
		return 1
	fi
	if [ ! -e "/run/netns/$ns" ]; then
		echo "nfs-server: no network namespace '$ns'" >&2
		return 1
	fi
	# ganesha's config needs absolute paths, and nsenter moves us to /.
	dir=$(cd "$dir" 2>/dev/null && pwd -P) || {
		echo "nfs-server: export directory '$3' does not exist" >&2
		return 1
	}
	if ! mkdir -p "$work/recovery" "$work/denied" || ! work=$(cd "$work" && pwd -P); then
		echo "nfs-server: cannot create work directory '$4'" >&2
		return 1
	fi
	# Our private /run tmpfs would hide anything under /run.
	for i in "$dir" "$work"; do
		case $i/ in
		/run/* | /var/run/*)
			echo "nfs-server: $i is under /run, which the server cannot see" >&2
			return 1
			;;
		esac
	done
	_nfs_ns=$ns _nfs_addr=$addr _nfs_work=$work
	nfs_server_log=$work/ganesha.log
	: >"$work/ganesha.log"
	: >"$work/ganesha.out"

	case ${NFS_SERVER_GRACE:-} in
	'' | [0-9] | [0-9][0-9] | 1[0-2][0-9]) ;;
	*)
		echo "nfs-server: NFS_SERVER_GRACE must be 0..120 seconds" >&2
		return 1
		;;
	esac
	case ${NFS_SERVER_EXPORT_MIB:-} in
	'' | [1-9] | [1-9][0-9] | [1-9][0-9][0-9]) ;;
	*)
		echo "nfs-server: NFS_SERVER_EXPORT_MIB must be 1..999" >&2
		return 1
		;;
	esac
	if [ -n "${NFS_SERVER_GRACE:-}" ]; then
		v4="Graceless = false;
	Grace_Period = $NFS_SERVER_GRACE;
	Lease_Lifetime = $NFS_SERVER_GRACE;"
	else
		v4="Graceless = true;"
	fi
	# NLM and RQUOTA are off: they would need rpc.statd and more rpcbind
	# registrations, and tests don't lock. UDP is off: TCP only, and one
	# less thing to bind. mount_path_pseudo makes NFSv3 MOUNT use the
	# Pseudo path, so the same /export works for v3 and v4.
	# Only_Numeric_Owners: v4 owners go on the wire as "0", not
	# "root@localdomain", so clients need no idmapping.
	# Bind_addr is deliberately not set: this build listens on [::] anyway
	# (checked with ss); the network namespace is what isolates us.
	cat >"$work/ganesha.conf" <<EOF
NFS_CORE_PARAM {
	NFS_Port = 2049;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	Protocols = 3, 4;
	mount_path_pseudo = true;
}
NFSV4 {
	$v4
	Only_Numeric_Owners = true;
	RecoveryBackend = fs;
	RecoveryRoot = "$work/recovery";
}
EXPORT {
	Export_Id = 1;
	Path = "$dir";
	Pseudo = /export;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	Protocols = 3, 4;
	Transports = TCP;
	FSAL {
		Name = VFS;
	}
}
EXPORT {
	Export_Id = 2;
	Path = "$work/denied";
	Pseudo = /denied;
	Access_Type = None;
	SecType = sys;
	Protocols = 3, 4;
	Transports = TCP;
	FSAL {
		Name = VFS;
	}
}
EOF

	# Readiness is judged by probing ADDR, so a server already there
	# (e.g. one a previous test did not stop) would pass for ours; and
	# rpcbind would share port 111 with it.
	if ip netns exec "$ns" ss -Hltn 'sport = :2049 or sport = :111' | grep -q .; then
		echo "nfs-server: something already listens on port 2049 or 111 in '$ns':" >&2
		ip netns exec "$ns" ss -Hltnp 'sport = :2049 or sport = :111' >&2
		return 1
	fi

	# Traffic to the namespace's own address goes through lo, whatever
	# state the tap is in; a fresh namespace has lo down.
	if ! ip netns exec "$ns" ip link set lo up; then
		echo "nfs-server: cannot bring lo up in '$ns'" >&2
		return 1
	fi

	# rpcbind in a new mount namespace (inside the netns) with a private
	# /run; see the top of this file. Every step execs, so $! is
	# rpcbind's pid, and ganesha later joins its namespaces through it.
	# With NFS_SERVER_EXPORT_MIB, DIR is covered there by a tmpfs of
	# that size, gone with the daemons: a server that runs out of space.
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	ip netns exec "$ns" unshare --mount --propagation private -- sh -c '
		mount -t tmpfs -o mode=0755 nfs-server-run /run || exit 1
		if [ -n "$1" ]; then
			mount -t tmpfs -o "size=$1m,mode=0777" nfs-server-export "$2" || exit 1
		fi
		mkdir -p /run/rpcbind
		chown _rpc /run/rpcbind 2>/dev/null
		exec rpcbind -f' sh "${NFS_SERVER_EXPORT_MIB:-}" "$dir" </dev/null >"$work/rpcbind.out" 2>&1 &
	_nfs_rpcbind=$!
	nfs_server_pids=$_nfs_rpcbind
	# Ganesha registers at startup only, so rpcbind's socket must exist
	# first. /proc/PID/root resolves paths in PID's mount namespace, but
	# only once PID is rpcbind (exec'd after the mount) is that the
	# private one: before, a host rpcbind's socket would be seen.
	for ((i = 0; i < 50; i++)); do
		_nfs_alive "$_nfs_rpcbind" rpcbind &&
			[ -S "/proc/$_nfs_rpcbind/root/run/rpcbind.sock" ] && break
		_nfs_gone "$_nfs_rpcbind" && break
		sleep 0.1
	done
	if ! _nfs_alive "$_nfs_rpcbind" rpcbind ||
		[ ! -S "/proc/$_nfs_rpcbind/root/run/rpcbind.sock" ]; then
		_nfs_fail "rpcbind did not start in '$ns'"
		return 1
	fi

	_nfs_ganesha_start
}

nfs_server_restart() {
	if ! _nfs_alive "$_nfs_rpcbind" rpcbind; then
		echo "nfs-server: restart: server not running" >&2
		return 1
	fi
	if ! _nfs_kill "$_nfs_ganesha" ganesha.nfsd; then
		_nfs_fail "restart: ganesha.nfsd ($_nfs_ganesha) would not die"
		return 1
	fi
	echo "--- restart ---" >>"$_nfs_work/ganesha.out"
	_nfs_ganesha_start
}

nfs_server_stop() {
	local rc=0
	# Ganesha first, so it can unregister from rpcbind.
	if [ -n "$_nfs_ganesha" ]; then
		# nsenter may not have exec'd ganesha yet if start was cut short.
		_nfs_kill "$_nfs_ganesha" nsenter
		_nfs_kill "$_nfs_ganesha" ganesha.nfsd || rc=1
	fi
	if [ -n "$_nfs_rpcbind" ]; then
		_nfs_kill "$_nfs_rpcbind" ip
		_nfs_kill "$_nfs_rpcbind" unshare
		_nfs_kill "$_nfs_rpcbind" sh
		_nfs_kill "$_nfs_rpcbind" rpcbind || rc=1
	fi
	[ "$rc" -eq 0 ] || echo "nfs-server: could not stop $nfs_server_pids" >&2
	_nfs_ganesha='' _nfs_rpcbind='' nfs_server_pids=''
	return "$rc"
}
