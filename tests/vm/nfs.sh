# shellcheck shell=bash
# NFS cases, sourced by tests/vm/run.sh: a real nfs-ganesha server
# (tests/lib/nfs-server.sh) runs in the case's network namespace and
# exports a fresh host directory, $nfs_dir, as nfs://10.0.0.1/export. The
# guest mounts it on /data. The host side makes and checks files with the
# glibc build of the guest's own t_nfs program, so both sides agree on
# every byte. The server is stopped before the namespace goes, whatever
# the case did. run.sh's variables (root, logs, log, ns, guest, status,
# errs) are used and set here:
# shellcheck disable=SC2154,SC2034

# shellcheck source=tests/lib/nfs-server.sh
source "$root/tests/lib/nfs-server.sh"
t_nfs_host=$root/build/vm-root/bin/glibc/t_nfs
nfs_mount="mount=/data,nfs://10.0.0.1/export"
nfs_tag=nfs # the cases' name prefix: nfs4 for their NFSv4 runs

# Runs case function $1 (with the rest as its arguments) over NFSv4.
nfs_v4() {
	local nfs_mount="mount=/data,nfs://10.0.0.1/export?version=4" nfs_tag=nfs4
	"$@"
}

# netns_pre hook: the server, exporting a new directory.
nfs_pre() {
	nfs_dir=$log.export
	rm -rf "$nfs_dir" "$log.nfs"
	mkdir -p "$nfs_dir" "$log.nfs"
	if ! nfs_server_start "$ns" 10.0.0.1 "$nfs_dir" "$log.nfs" 2>"$log.nfs/start.err"; then
		errs+=("cannot start the NFS server: $(grep -v '^\s*$' "$log.nfs/start.err" | head -n 3 | tr '\n' ' ')")
	fi
	"${nfs_setup:-true}"
}

# Boots the guest with the export mounted; $1 name, $2 the rest of the
# command line, $3 the console line to wait for.
nfs_start() {
	netns_pre=nfs_pre netns_start "$1" "$nfs_mount $2" "${3:-appliance: booted}"
}

nfs_finish() {
	wait "$guest"
	status=$?
	nfs_server_stop
	ip netns del "$ns"
}

# The host's view of export file $1: $2 bytes of the generator's seed $3.
nfs_host_check() {
	"$t_nfs_host" check "$nfs_dir/$1" "$2" "$3" >"$log.host" 2>&1 ||
		errs+=("host: $1 differs (size $2): $(tail -n 2 "$log.host" | tr '\n' ' ')")
}

# A size in [1, max] bytes, different each run; the log says which.
random_size() {
	local max=$1
	echo $(((RANDOM << 30 | RANDOM << 15 | RANDOM) % max + 1))
}

nfs_files_case() {
	nfs_start "${nfs_tag}_files_$1" "mount=/scratch,ramfs init=/bin/$1/t_files -- /data"
	nfs_finish
	want_status 0
	want_text "t_files: "
	want_text ", 0 failed"
	lack_text FAIL
}
case_nfs_files_musl() { nfs_files_case musl; }
case_nfs_files_glibc() { nfs_files_case glibc; }
case_nfs4_files_glibc() { nfs_v4 nfs_files_case glibc; }

# 8 threads at once on 2 vCPUs: files, renames, appends to one fd.
case_nfs_fsthreads() {
	netns_qemu="-smp 2" nfs_start "${nfs_tag}_fsthreads" "init=/bin/glibc/t_fsthreads -- /data"
	nfs_finish
	want_status 0
	want_text "t_fsthreads: "
	want_text ", 0 failed"
	lack_text FAIL
}

# The input file the host writes for the guest to check.
nfs_make_input() {
	"$t_nfs_host" write "$nfs_dir/in" "$in_size" 11 >"$log.host" ||
		errs+=("host: cannot write the input: $(tail -n 2 "$log.host")")
}

# Host -> guest (read, and mapped) and guest -> host, random sizes up to
# 1 GiB (NFS_TEST_MAX_SIZE): byte for byte. A private mapping is read in
# whole, hence the guest's memory.
case_nfs_data() {
	local max=${NFS_TEST_MAX_SIZE:-$((1 << 30))} out_size
	in_size=$(random_size "$max")
	out_size=$(random_size "$max")
	netns_qemu="-m 1536M" netns_timeout=900 nfs_setup=nfs_make_input nfs_start "${nfs_tag}_data" \
		"init=/bin/musl/t_nfs -- check /data/in $in_size 11 map /data/in $in_size 11 write /data/out $out_size 12"
	nfs_finish
	nfs_host_check "out" "$out_size" 12
	[ ${#errs[@]} -eq 0 ] || errs+=("sizes: in $in_size, out $out_size")
	want_status 0
	want_text "t_nfs: check /data/in done"
	want_text "t_nfs: map /data/in done"
	want_text "t_nfs: write /data/out done"
	want_text ", 0 failed"
}

# A shared writable mapping of an NFS file (t_nfs shared checks msync,
# munmap, fsync in the guest, and reads what msync(MS_SYNC) wrote through
# a second mount, past the first one's write-behind); the host then sees
# what the program left in the mapping when it ended, and the file has
# not grown.
case_nfs_mmap_shared() {
	local size
	size=$(($(random_size $((4 << 20))) + 16384))
	nfs_start "${nfs_tag}_mmap_shared" "${nfs_mount/\/data,/\/other,} init=/bin/musl/t_nfs -- write /data/m $size 31 shared /data/m,/other/m $size 31"
	nfs_finish
	nfs_host_check "m" "$size" 36
	want_status 0
	want_text "t_nfs: shared /data/m,/other/m done"
	want_text ", 0 failed"
}

# Write-back of a shared mapping racing reads into faulting memory, with
# more threads than connections (nconnect=2): they share contexts, and
# nothing may deadlock.
case_nfs_mmap_race() {
	local size=$((3 << 20))
	netns_qemu="-smp 2" netns_timeout=120 netns_pre=nfs_pre netns_start nfs_mmap_race \
		"mount=/data,nfs://10.0.0.1/export?nconnect=2 init=/bin/glibc/t_nfs -- write /data/r $size 41 maprace /data/r $size 41" \
		"appliance: booted"
	nfs_finish
	nfs_host_check "r" "$size" 42
	want_status 0
	want_text "t_nfs: maprace /data/r done"
	want_text ", 0 failed"
}

# rsize= and wsize= cap each READ and WRITE: small reads, large writes,
# and the data is still byte for byte.
case_nfs_transfer_sizes() {
	local size=$(($(random_size $((2 << 20))) + 100000))
	netns_pre=nfs_pre netns_start nfs_transfer_sizes \
		"loglevel=6 mount=/data,nfs://10.0.0.1/export?rsize=8192&wsize=65536 init=/bin/musl/t_nfs -- write /data/f $size 51 check /data/f $size 51" \
		"appliance: booted"
	nfs_finish
	nfs_host_check "f" "$size" 51
	want_status 0
	want_text "NFSv3, rsize 8 KiB, wsize 64 KiB"
	want_text "t_nfs: check /data/f done"
	want_text ", 0 failed"
}

# 8 threads, each its own file and its own stripe of one shared file.
# Then, while the program pauses, the server has exactly `nconnect` (4)
# connections from the guest: more threads than that share them, and
# write-behind opens none of its own.
nfs_threads_case() {
	local size=$((1 << 20)) i conns
	netns_qemu="-smp 2 ${netns_qemu:-}" nfs_start "$1" \
		"init=/bin/glibc/t_nfs -- threads /data 8 $size pause - 20 0" "t_nfs: threads /data done"
	conns=$(ip netns exec "$ns" ss -Htn state established '( sport = :2049 )' | grep -c 10.0.0.5)
	[ "$conns" = 4 ] || errs+=("the guest has $conns connections to the server, not nconnect=4:" \
		"$(ip netns exec "$ns" ss -Htn state established | tr '\n' ' ')")
	nfs_finish
	nfs_host_check shared $((8 * size)) 7
	for ((i = 0; i < 8; i++)); do
		nfs_host_check "own-$i" "$size" $((1000 + i))
	done
	want_status 0
	want_text "t_nfs: threads /data done"
	want_text ", 0 failed"
}
case_nfs_threads() { nfs_threads_case nfs_threads; }
case_nfs4_threads() { nfs_v4 nfs_threads_case nfs4_threads; }

# The server restarts while the guest writes: nothing acknowledged is
# lost, and the program never notices; a file created after the restart
# (over NFSv4: with the client ID the server forgot) is there too. The
# stream is long enough (256 MiB) to be still going when the server is
# back: at 200 MB/s, 32 MiB were done before.
case_nfs_server_restart() {
	local size=$((256 << 20)) i
	nfs_start "${nfs_tag}_server_restart" "init=/bin/musl/t_nfs -- write /data/stream $size 21 write /data/after 5000 22"
	for ((i = 0; i < 300; i++)); do
		[ "$(stat -c %s "$nfs_dir/stream" 2>/dev/null || echo 0)" -gt $((2 << 20)) ] && break
		sleep 0.1
	done
	if [ "$i" -eq 300 ]; then
		errs+=("the guest never wrote 2 MiB")
	elif ! nfs_server_restart 2>"$log.nfs/restart.err"; then
		errs+=("the NFS server did not come back: $(head -n 2 "$log.nfs/restart.err" | tr '\n' ' ')")
	elif [ "$(stat -c %s "$nfs_dir/stream")" -ge "$size" ] && ! kill -0 "$guest" 2>/dev/null; then
		errs+=("the guest finished before the restart: the case tested nothing")
	fi
	nfs_finish
	nfs_host_check "stream" "$size" 21
	nfs_host_check "after" 5000 22
	want_status 0
	want_text "t_nfs: write /data/stream done"
	want_text "t_nfs: write /data/after done"
	want_text ", 0 failed"
}

# No server at that address: tries for retry=3 seconds (no ARP answer, so
# the one connect waits all of them), then one clear line, status 5.
# $1 the case, $2 the URL's query.
nfs_unreachable_case() {
	netns_start "$1" \
		"mount=/data,nfs://10.0.0.99/export?$2 init=/bin/musl/t_exit" \
		"appliance: exit status"
	netns_finish
	want_status 5
	want_text "nfs: cannot mount nfs://10.0.0.99/export?$2: no answer from 10.0.0.99"
	want_regex "attempts? in 3[0-9]{3} ms\)"
	lack_text "t_exit"
}
case_nfs_unreachable() { nfs_unreachable_case nfs_unreachable retry=3; }
case_nfs4_unreachable() { nfs_unreachable_case nfs4_unreachable "version=4&retry=3"; }

# The export is there and this client may not use it: refused at once,
# the mount named. ganesha's NFSv3 MOUNT says so; over NFSv4 it leaves
# such exports out of its pseudo file system, so the lookup finds
# nothing. $1 the case, $2 the URL's query, $3 the reason logged.
nfs_denied_case() {
	netns_pre=nfs_pre netns_start "$1" \
		"mount=/data,nfs://10.0.0.1/denied$2 init=/bin/musl/t_exit" \
		"appliance: exit status"
	nfs_finish
	want_status 5
	want_text "nfs: cannot mount nfs://10.0.0.1/denied$2: "
	want_text "$3"
	want_text "(1 attempts"
	lack_text "t_exit"
}
case_nfs_denied() { nfs_denied_case nfs_denied "" "MNT3ERR_ACCES(13) Permission denied"; }
case_nfs4_denied() { nfs_denied_case nfs4_denied "?version=4" "NFS4ERR_NOENT"; }

# The server is there, the export is not: no retrying, the mount named.
case_nfs_missing_export() {
	netns_pre=nfs_pre netns_start nfs_missing_export \
		"mount=/data,nfs://10.0.0.1/missing init=/bin/musl/t_exit" \
		"appliance: exit status"
	nfs_finish
	want_status 5
	want_text "nfs: cannot mount nfs://10.0.0.1/missing: "
	want_text "(1 attempts"
}

# Options: bad ones stop the boot; ro refuses writes with EROFS.
case_nfs_bad_option() {
	netns_pre=nfs_pre netns_start nfs_bad_option \
		"mount=/data,nfs://10.0.0.1/export?nconnect=99 init=/bin/musl/t_exit" \
		"appliance: exit status"
	nfs_finish
	want_status 5
	want_text "nfs: bad NFS mount option 'nconnect=99'"
}

case_nfs_read_only() {
	nfs_setup=nfs_make_input in_size=1000 netns_pre=nfs_pre netns_start nfs_read_only \
		"mount=/data,nfs://10.0.0.1/export?ro init=/bin/musl/t_nfs -- check /data/in 1000 11 write /data/new 10 1" \
		"appliance: exit status"
	nfs_finish
	want_status 1
	want_text "t_nfs: check /data/in done"
	want_regex "FAIL .*errno 30"
	[ ! -e "$nfs_dir/new" ] || errs+=("a read-only mount created a file")
}

# 10,000 names in one directory: created, listed once each, looked up;
# the host counts them too.
case_nfs_big_dir() {
	nfs_start "${nfs_tag}_big_dir" "init=/bin/musl/t_nfs -- dir /data/big 10000 0"
	nfs_finish
	want_status 0
	want_text "t_nfs: dir /data/big done"
	want_text ", 0 failed"
	local n
	n=$(find "$nfs_dir/big" -name 'entry-*' | wc -l)
	[ "$n" -eq 10000 ] || errs+=("the host sees $n entries, want 10000")
}

# Random operations, ramfs as the model and NFS under test, in lockstep.
case_nfs_model() {
	local seed=$((RANDOM + 1))
	nfs_start "${nfs_tag}_model" "init=/bin/musl/t_fsmodel -- /tmp/model /data/test 4000 $seed"
	nfs_finish
	want_status 0
	want_text "t_fsmodel: 4000 operations, 0 mismatches"
}

# More files read at once than readahead has memory for (an eighth of
# 128 MiB): the rest are read without it, every byte still right.
case_nfs_many_open() {
	netns_qemu="-m 128M" nfs_start "${nfs_tag}_many_open" "init=/bin/musl/t_nfs -- many /data/many 40 $((512 << 10))"
	nfs_finish
	want_status 0
	want_text "t_nfs: many /data/many done"
	want_text ", 0 failed"
}

# The server runs out of space (its export a 4 MiB tmpfs), writing
# behind: ENOSPC comes at a write(), fsync() or close(), the file holds
# no more than write() took, and removing it makes room again.
case_nfs_full() {
	local NFS_SERVER_EXPORT_MIB=4
	nfs_start "${nfs_tag}_full" "init=/bin/musl/t_nfs -- fullbehind /data/f $((8 << 20)) 41"
	nfs_finish
	want_status 0
	want_regex "t_nfs: /data/f full after [0-9]+ bytes, [0-9]+ held"
	want_text "t_nfs: fullbehind /data/f done"
	want_text ", 0 failed"
}

# The same mounted `sync`: write() itself says ENOSPC, and what it took
# before reads back.
case_nfs_full_sync() {
	local NFS_SERVER_EXPORT_MIB=4 nfs_mount="$nfs_mount?sync"
	nfs_start "${nfs_tag}_full_sync" "init=/bin/musl/t_nfs -- full /data/f $((8 << 20)) 41"
	nfs_finish
	want_status 0
	want_regex "t_nfs: /data/f full after [0-9]+ bytes"
	want_text "t_nfs: full /data/f done"
	want_text ", 0 failed"
}

# A private mapping bigger than the guest's RAM is refused with ENOMEM,
# not read in until the kernel starves.
nfs_make_huge() { truncate -s 512M "$nfs_dir/huge"; }
case_nfs_map_too_big() {
	nfs_setup=nfs_make_huge nfs_start nfs_map_too_big "init=/bin/musl/t_nfs -- nomap /data/huge $((512 << 20)) 0"
	nfs_finish
	want_status 0
	want_text "t_nfs: nomap /data/huge done"
	want_text ", 0 failed"
}

# Readahead and close-to-open: small reads, the program's own write, then
# the file rewritten through a second mount of the export (as another
# client would); a new open sees the new bytes, and so does the host.
case_nfs_fresh() {
	nfs_start "${nfs_tag}_fresh" "${nfs_mount/\/data,/\/other,} init=/bin/musl/t_nfs -- fresh /data/f,/other/f 300000 31"
	nfs_finish
	nfs_host_check f 300000 33
	want_status 0
	want_text "t_nfs: fresh /data/f,/other/f done"
	want_text ", 0 failed"
}

# The same over NFSv4.0: data both ways, a shared mapping, threads, a
# large directory, the model, a server restart mid-stream, readahead, a
# full server.
case_nfs4_fsthreads() { nfs_v4 case_nfs_fsthreads; }
case_nfs4_data() { nfs_v4 case_nfs_data; }
case_nfs4_mmap_shared() { nfs_v4 case_nfs_mmap_shared; }
case_nfs4_server_restart() { nfs_v4 case_nfs_server_restart; }
case_nfs4_big_dir() { nfs_v4 case_nfs_big_dir; }
case_nfs4_model() { nfs_v4 case_nfs_model; }
case_nfs4_fresh() { nfs_v4 case_nfs_fresh; }
case_nfs4_full() { nfs_v4 case_nfs_full; }

# NFSv4 says which version it mounted, and a missing export fails as
# over NFSv3: at once, with the mount named.
case_nfs4_mount() {
	netns_pre=nfs_pre netns_start nfs4_mount \
		"loglevel=6 mount=/data,nfs://10.0.0.1/export?version=4 mount=/bad,nfs://10.0.0.1/missing?version=4 init=/bin/musl/t_exit" \
		"appliance: exit status"
	nfs_finish
	want_status 5
	want_regex "nfs: nfs://10.0.0.1/export\\?version=4: NFSv4.0, rsize [0-9]+ KiB"
	want_text "nfs: cannot mount nfs://10.0.0.1/missing?version=4: "
	want_text "(1 attempts"
}
