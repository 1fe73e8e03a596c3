#!/usr/bin/env bash
# In-VM tests: boots the kernel in QEMU once per case (KVM when it runs
# guests at hardware speed here, TCG otherwise; see scripts/accel.sh) and
# checks the exit status and the console output. Every boot has a time
# limit; the console log of each case is kept in build/vm-logs/.
#
#   tests/vm/run.sh build/kernel.elf [CASE...]
set -u
kernel=${1:?usage: run.sh KERNEL [CASE...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
logs=$root/build/vm-logs
mkdir -p "$logs"
limit=${VM_TEST_TIMEOUT:-120}
pass=0
fail=0
echo "vm: accelerator $("$root/scripts/accel.sh")"

# boot NAME EXPECTED_STATUS APPEND [QEMU ARGS...]: boots, records the
# status in $status and the console in $log.
boot() {
	local name=$1
	log=$logs/$name.log
	timeout --kill-after=5 "$limit" "$root/scripts/qemu.sh" \
		-kernel "$kernel" -append "$2" "${@:3}" >"$log" 2>"$log.stderr"
	status=$?
	[ "$status" -eq 124 ] && echo "vm: $name: timed out after ${limit}s" >>"$log.stderr"
	return 0
}

failures=()
# expect NAME: checks recorded in $errs by the case.
finish() {
	local name=$1
	# Whatever happened, the console ends with the exit line.
	if ! tail -n 1 "$log" | tr -d '\r' | grep -qx "appliance: exit status $status"; then
		errs+=("last console line is not 'appliance: exit status $status'")
	fi
	if [ ${#errs[@]} -eq 0 ]; then
		echo "PASS vm/$name"
		pass=$((pass + 1))
	else
		echo "FAIL vm/$name (exit $status):"
		printf '    %s\n' "${errs[@]}"
		echo "    console (last 30 lines of $log):"
		tail -n 30 "$log" | sed 's/^/      /'
		sed 's/^/      stderr: /' "$log.stderr" | tail -n 5
		fail=$((fail + 1))
	fi
}

want_status() { [ "$status" -eq "$1" ] || errs+=("exit status $status, want $1"); }
want_text() { grep -qF -- "$1" "$log" || errs+=("console lacks: $1"); }
lack_text() { ! grep -qF -- "$1" "$log" || errs+=("console has: $1"); }
want_regex() { grep -qE -- "$1" "$log" || errs+=("console lacks /$1/"); }

case_selftest() {
	boot selftest "selftest"
	want_status 0
	want_regex 'appliance: booted in [0-9]+\.[0-9]{3} ms'
	want_regex '^selftest: [0-9]+ passed, 0 failed'
	# Every self-test ran: none can silently drop out of the section.
	local n
	n=$(grep -cE '^selftest: [a-z_]+ +ok' "$log")
	[ "$n" -ge 17 ] || errs+=("only $n self-tests passed, want at least 17")
}

case_selftest_named() {
	boot selftest_named "selftest=heap_api,wx_mappings"
	want_status 0
	want_text "selftest: 2 passed, 0 failed"
	lack_text "thread_create_join"
}

case_selftest_unknown() {
	boot selftest_unknown "selftest=no_such_test"
	want_status 2
	want_text "selftest: no test named 'no_such_test'"
}

case_no_program() {
	boot no_program ""
	want_status 1
	want_text "no program to run"
	want_regex 'appliance: booted in [0-9]+\.[0-9]{3} ms'
}


case_help() {
	boot help "help"
	want_status 0
	local opt
	for opt in "loglevel=0..7" "console=VALUE" "selftest[=NAME,...]" \
		"init=VALUE" "env.NAME=VALUE" "virtio_mmio.device=SIZE@BASE:IRQ[:ID]" \
		"crash=VALUE" "help "; do
		want_text "  $opt"
	done
	lack_text "booted in"
}

case_unknown_option() {
	boot unknown_option "loglevel=3 bogus=1"
	want_status 2
	want_text "cmdline: unknown option 'bogus'"
	want_text "  loglevel=0..7"
}

case_malformed_values() {
	local a
	for a in "loglevel=9" "loglevel" "loglevel=1 loglevel=2" "init=" \
		"env.1X=y" "virtio_mmio.device=4K@0x1001:5" "selftest=" \
		"virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:5" \
		"virtio_mmio.device=8K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6" \
		"name=\"unterminated" "=x" $'init=/\xff'; do
		boot malformed_values "$a"
		want_status 2
		want_text "cmdline: "
		want_text "Options (name=value"
		[ "$status" -eq 2 ] || errs+=("for: $a")
	done
}

case_overlong_option() {
	boot overlong_option "init=/$(head -c 5000 /dev/zero | tr '\0' x)"
	want_status 2
	want_text "is longer than 4096 bytes"
}

case_accepted_options() {
	boot accepted_options "console=ttyS0,115200 virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6 loglevel=7"
	want_status 1
	want_regex '\] I: time: TSC [0-9]+\.[0-9]{3} MHz'
	want_regex '\] I: mm: [0-9]+ MiB RAM'
	lack_text "console: '"
}

case_console_other() {
	boot console_other "console=hvc0"
	want_status 1
	want_text "console: 'hvc0' does not exist here; the console stays on ttyS0"
}

case_quiet() {
	boot quiet "loglevel=0"
	want_status 1
	lack_text "booted in"
	lack_text "no program to run"
}

# crash_case KIND TEXT [FUNCTION]: FUNCTION must appear in the backtrace.
crash_case() {
	local kind=$1 text=$2 fn=${3:-kernel_main}
	boot "crash_$kind" "crash=$kind"
	want_status 70
	want_text "$text"
	want_text "backtrace:"
	# Symbolised: the crashing function is named with offset/size.
	want_regex "\\[<ffffffff8[0-9a-f]+>\\] $fn\\+0x[0-9a-f]+/0x[0-9a-f]+"
}

case_crash_page_fault() {
	crash_case page-fault "exception: page fault (vector 14) error code 0x2 in kernel mode"
	want_text "page fault at address 0xdead000 (page not present, write)"
	want_regex '^RIP: 0008:ffffffff8[0-9a-f]+ RFLAGS'
	want_regex '^CR2: 000000000dead000'
}
case_crash_invalid_opcode() { crash_case invalid-opcode "exception: invalid opcode (vector 6)"; }
case_crash_divide_error() { crash_case divide-error "exception: divide error (vector 0)"; }
# The overrun smashed the frame chain too: the walk ends at the victim.
case_crash_stack_smash() { crash_case stack-smash "panic: stack smashing detected" crash_stack_smash; }
case_crash_panic() { crash_case panic "panic: crash=panic given on the command line"; }
case_crash_assert() { crash_case assert "panic: assertion failed: crash_operand == 1"; }

case_crash_out_of_memory() {
	boot crash_out_of_memory "crash=out-of-memory" -m 32M
	want_status 70
	want_regex 'panic: out of memory: cannot allocate 1048576 bytes \([0-9]+ KiB free\)'
	want_text "backtrace:"
}

# virtio-mmio and virtio-rng: found in microvm's window, interrupts routed
# through the I/O APIC, bytes read, and getrandom fed by it.
case_virtio_rng() {
	boot virtio_rng "selftest=virtio_rng loglevel=6" -device virtio-rng-device -smp 2
	want_status 0
	want_regex 'virtio-rng: ready at mmio@0xfeb[0-9a-f]+ irq [0-9]+'
	want_text "selftest: virtio_rng               ok"
	lack_text "no device"
}

case_virtio_legacy_refused() {
	boot virtio_legacy_refused "loglevel=6" -device virtio-rng-device \
		-global virtio-mmio.force-legacy=true
	want_status 1
	want_text "speaks virtio-mmio version 1; only version 2 is supported"
}

case_getrandom_virtio() {
	boot getrandom_virtio 'init=/bin/musl/t_sys env.TEST_VAR=xyz -- one "two words"' \
		-initrd "$initrd" -device virtio-rng-device
	want_status 0
	want_text "t_sys: "
	want_text ", 0 failed"
}

# Network: a namespace of its own with a tap device (10.0.0.1/24 on the
# host side) the guest's virtio-net is plugged into. netns_start boots the
# guest there in the background (ip=10.0.0.5/24) and waits for a console
# line; netns_finish waits for the guest and removes the namespace, which
# also happens if setting it up fails. A case may set netns_ip (the
# address option), netns_qemu (more QEMU arguments, before the NIC),
# netns_nic (the NIC's device model and properties), netns_timeout and
# netns_pre (a function run once the namespace exists) and netns_post
# (one run when the guest has ended, before the namespace goes).
netns_start() {
	local name=$1 append=$2 ready=$3 i
	ns=aptest-$$-$name
	log=$logs/$name.log
	status=0
	ip netns del "$ns" 2>/dev/null
	if ! ip netns add "$ns" || ! ip netns exec "$ns" ip tuntap add dev tap0 mode tap ||
		! ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0 ||
		! ip netns exec "$ns" ip link set tap0 up; then
		errs+=("cannot set up a network namespace with a tap (root and iproute2 needed)")
		ip netns del "$ns" 2>/dev/null
		return 1
	fi
	# A case may start a server in the namespace first (netns_pre).
	[ -n "${netns_pre:-}" ] && "$netns_pre"
	ip netns exec "$ns" timeout --kill-after=5 "${netns_timeout:-60}" "$root/scripts/qemu.sh" \
		-kernel "$kernel" -initrd "$initrd" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no ${netns_qemu:-} \
		-device "${netns_nic:-virtio-net-device},netdev=n0" \
		-append "${netns_ip:-ip=10.0.0.5/24} $append" >"$log" 2>"$log.stderr" &
	guest=$!
	for ((i = 0; i < 300; i++)); do
		grep -qs -- "$ready" "$log" && return 0
		sleep 0.1
	done
	errs+=("the guest never printed: $ready")
	return 0
}

netns_finish() {
	wait "$guest"
	status=$?
	[ -n "${netns_post:-}" ] && "$netns_post"
	# What the host's side of the tap got from the guest.
	tap_rx_bytes=$(ip netns exec "$ns" cat /sys/class/net/tap0/statistics/rx_bytes 2>/dev/null || echo 0)
	tap_rx_frames=$(ip netns exec "$ns" cat /sys/class/net/tap0/statistics/rx_packets 2>/dev/null || echo 0)
	ip netns del "$ns"
}

case_net_ping() {
	netns_start net_ping "init=/bin/musl/t_exit -- sleep 10" "net: en0 10.0.0.5/24" || return
	if ! ip netns exec "$ns" ping -c 3 -W 2 10.0.0.5 >"$log.ping" 2>&1; then
		errs+=("no answer to ping: $(tail -n 2 "$log.ping" | tr '\n' ' ')")
	fi
	netns_finish
	want_status 0
}

# Line $2 to the guest's TCP echo server at $1:7 from the host (bash's
# /dev/tcp, with a time limit); it must come back.
guest_echo() {
	local reply
	reply=$(ip netns exec "$ns" timeout 20 bash -c \
		'exec 3<>"/dev/tcp/$1/7" && printf "%s\n" "$2" >&3 && read -r line <&3 && echo "$line"' \
		_ "$1" "$2" 2>&1)
	[ "$reply" = "$2" ] || errs+=("echo from the guest at $1: '$reply'")
}

# The host pings the guest and talks to its TCP echo server ($1: the
# case's name; netns_* variables as netns_start takes them).
net_echo_case() {
	local name=$1
	netns_start "$name" "loglevel=6 init=/bin/musl/t_net -- serve 10.0.0.5" "t_net: listening" || return
	ip netns exec "$ns" ping -c 3 -W 5 10.0.0.5 >"$log.ping" 2>&1 ||
		errs+=("no answer to ping: $(tail -n 2 "$log.ping" | tr '\n' ' ')")
	guest_echo 10.0.0.5 echoed
	netns_finish
	want_status 0
	want_text "t_net serve: "
	want_text ", 0 failed"
}

# A host client reaches a guest server.
case_net_host_to_guest() { net_echo_case net_host_to_guest; }

# A NIC without receive offloads (no mergeable buffers, no large
# segments, no checksum left to finish): one buffer per frame.
case_net_no_offloads() {
	netns_nic=virtio-net-device,mrg_rxbuf=off,guest_csum=off,guest_tso4=off \
		net_echo_case net_no_offloads
	want_text "virtio-net: 52:54:00:12:34:56 at mmio@"
	lack_text "rx checksum"
}

# Thousands of malformed frames (tests/vm/hostile_frames.py) from the
# host side of the tap: afterwards the guest still answers ping and its
# TCP echo server still echoes.
case_net_hostile_frames() {
	netns_start net_hostile_frames "init=/bin/musl/t_net -- serve 10.0.0.5" "t_net: listening" || return
	local mac
	ip netns exec "$ns" ping -c 1 -W 5 10.0.0.5 >/dev/null 2>&1
	mac=$(ip netns exec "$ns" ip neigh show 10.0.0.5 dev tap0 | awk '/lladdr/ { print $3 }')
	if [ -z "$mac" ]; then
		errs+=("no ARP entry for the guest before the test")
	elif ! ip netns exec "$ns" timeout 120 python3 "$root/tests/vm/hostile_frames.py" \
		tap0 "$mac" 10.0.0.5 10.0.0.1 "$RANDOM" >"$log.frames" 2>&1; then
		errs+=("hostile_frames.py: $(tail -n 2 "$log.frames" | tr '\n' ' ')")
	fi
	ip netns exec "$ns" ping -c 2 -W 5 10.0.0.5 >"$log.ping" 2>&1 ||
		errs+=("no answer to ping after the frames")
	guest_echo 10.0.0.5 "still here"
	netns_finish
	want_status 0
	want_text "t_net serve: "
	want_text ", 0 failed"
}

# 256 host clients connected to one guest server at the same time, each
# echoed; the host opens them all before it sends anything.
case_net_many_connections() {
	netns_start net_many_connections "init=/bin/musl/t_net -- many 10.0.0.5 256" "t_net: listening" || return
	ip netns exec "$ns" timeout 90 python3 -c '
import socket, sys
socks = []
for i in range(256):
    s = socket.create_connection(("10.0.0.5", 7), timeout=30)
    socks.append(s)
for i, s in enumerate(socks):
    s.sendall(b"line %d\n" % i)
for i, s in enumerate(socks):
    want = b"line %d\n" % i
    got = b""
    while len(got) < len(want):
        chunk = s.recv(64)
        if not chunk:
            break
        got += chunk
    if got != want:
        sys.exit("connection %d: got %r" % (i, got))
for s in socks:
    s.close()
print("host: 256 echoes")
' >"$log.client" 2>&1 || errs+=("host clients: $(tail -n 2 "$log.client" | tr '\n' ' ')")
	netns_finish
	want_status 0
	want_text "t_net many: 256 accepted"
	want_text ", 0 failed"
}

# Two NICs: en0 on tap0 (ip=), en1 on tap1 (ip.1=), each in its own
# subnet; the host reaches the guest through both, TCP through en1.
case_net_two_nics() {
	local name=net_two_nics
	ns=aptest-$$-$name
	log=$logs/$name.log
	ip netns del "$ns" 2>/dev/null
	if ! ip netns add "$ns" || ! ip netns exec "$ns" ip tuntap add dev tap0 mode tap ||
		! ip netns exec "$ns" ip tuntap add dev tap1 mode tap ||
		! ip netns exec "$ns" ip addr add 10.0.0.1/24 dev tap0 ||
		! ip netns exec "$ns" ip addr add 10.0.1.1/24 dev tap1 ||
		! ip netns exec "$ns" ip link set tap0 up || ! ip netns exec "$ns" ip link set tap1 up; then
		errs+=("cannot set up a namespace with two taps")
		ip netns del "$ns" 2>/dev/null
		return
	fi
	ip netns exec "$ns" timeout --kill-after=5 60 "$root/scripts/qemu.sh" \
		-kernel "$kernel" -initrd "$initrd" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-device,netdev=n0,mac=52:54:00:00:00:10 \
		-netdev tap,id=n1,ifname=tap1,script=no,downscript=no \
		-device virtio-net-device,netdev=n1,mac=52:54:00:00:00:11 \
		-append "ip=10.0.0.5/24 ip.1=10.0.1.5/24 init=/bin/musl/t_net -- serve 10.0.1.5" \
		>"$log" 2>"$log.stderr" &
	guest=$!
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q "t_net: listening" "$log" && break
		sleep 0.1
	done
	ip netns exec "$ns" ping -c 1 -W 5 10.0.0.5 >"$log.ping" 2>&1 || errs+=("no answer from en0")
	ip netns exec "$ns" ping -c 1 -W 5 10.0.1.5 >>"$log.ping" 2>&1 || errs+=("no answer from en1")
	guest_echo 10.0.1.5 "via en1"
	netns_finish
	want_status 0
	want_text "net: en0 10.0.0.5/24"
	want_text "net: en1 10.0.1.5/24"
	want_text ", 0 failed"
}

case_net_nic_gap() {
	prog_case net_nic_gap 5 "ip.2=10.0.2.5/24 init=/bin/musl/t_exit" "net: ip.2 given without the ones before it"
}

# A one-line echo server on the host side at [$1]:7000, IPv4 or IPv6, for
# a guest client; $2, when given, is the address the client must come
# from; $3 the time limit. It runs in the background (pid in $server);
# host_server_check waits for it and records its complaint.
host_echo_server() {
	ip netns exec "$ns" timeout "${3:-30}" python3 -c '
import socket, sys
addr, peer_want = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 7000))
s.listen(1)
c, peer = s.accept()
assert not peer_want or peer[0] == peer_want, peer
c.sendall(c.recv(256))
c.close()' "$1" "${2:-}" >"$log.server" 2>&1 &
	server=$!
}

host_server_check() {
	wait "$server" || errs+=("host server: $(tail -n 2 "$log.server" | tr '\n' ' ')")
}

# A guest client reaches a host server.
case_net_guest_to_host() {
	local server
	netns_start net_guest_to_host "init=/bin/glibc/t_net -- connect 10.0.0.1" "net: en0" || return
	host_echo_server 10.0.0.1 10.0.0.5
	netns_finish
	host_server_check
	want_status 0
	want_text "t_net connect: "
	want_text ", 0 failed"
}

# The program sends 8 MiB and ends at once, without closing: the kernel
# closes its socket and waits for the data to be acknowledged before the
# VM goes, so the host gets every byte and then EOF.
case_net_exit_delivers() {
	guest_send_case net_exit_delivers $((8 << 20))
	lack_text "still had data on its way"
}

# The guest sends BYTES with t_net (byte i of the stream is i % 251) and
# ends at once; a host server takes them and checks every byte and the
# EOF.
guest_send_case() {
	local name=$1 bytes=$2 server
	netns_start "$name" "loglevel=6 init=/bin/musl/t_net -- send 10.0.0.1 7001 $bytes" "net: en0" || return
	ip netns exec "$ns" timeout 60 python3 -c '
import socket, sys
want = bytes(i % 251 for i in range(251)) * 300
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 7001))
s.listen(1)
s.settimeout(40)
c, _ = s.accept()
c.settimeout(40)
n = 0
while True:
    d = c.recv(1 << 16)
    if not d:
        break
    at = n % 251
    if d != want[at:at + len(d)]:
        print("host: bytes %d to %d are not the stream" % (n, n + len(d)))
        sys.exit(1)
    n += len(d)
print("host: %d bytes, then EOF" % n)
sys.exit(0 if n == '"$bytes"' else 1)' >"$log.server" 2>&1 &
	server=$!
	netns_finish
	wait "$server" || errs+=("host server: $(tail -n 2 "$log.server" | tr '\n' ' ')")
	want_status 0
	want_text "t_net send: wrote $bytes bytes"
}

# Large segments: the connection is given segments of 11 times its MSS,
# and they go to the device joined, up to 64 KiB (kernel/net/tso.c),
# which cuts them again; the host gets the stream intact, in frames far
# larger than the 1514 bytes of a wire frame.
case_net_tx_tso() {
	guest_send_case net_tx_tso $((32 << 20))
	want_text "tx checksum and TSO4, tx indirect"
	want_text "now send 16060-byte ones, for the device to cut at 1460"
	[ "$tap_rx_frames" -gt 0 ] && [ $((tap_rx_bytes / tap_rx_frames)) -gt 4000 ] ||
		errs+=("the tap got $tap_rx_frames frames of $tap_rx_bytes bytes: no large segments")
}

# Large segments on a device without indirect descriptors: they are
# copied into the device's buffers instead of read where lwIP keeps them.
case_net_tx_tso_copied() {
	netns_nic=virtio-net-device,indirect_desc=off guest_send_case net_tx_tso_copied $((16 << 20))
	want_text "tx checksum and TSO4"
	lack_text "tx indirect"
	[ "$tap_rx_frames" -gt 0 ] && [ $((tap_rx_bytes / tap_rx_frames)) -gt 4000 ] ||
		errs+=("the tap got $tap_rx_frames frames of $tap_rx_bytes bytes: no large segments")
}

# Every large frame from the guest (32 KiB or more) whose IP
# identification is a multiple of 32 is taken off the tap by tc and sent
# to a veth whose peer is down, where it is lost; tap_lost counts their
# bytes (tc counts a large frame's packets as none).
tap_lose_large() {
	ip netns exec "$ns" ip link add sink type veth peer name sink1 &&
		ip netns exec "$ns" ip link set sink up &&
		ip netns exec "$ns" tc qdisc add dev tap0 handle ffff: ingress &&
		ip netns exec "$ns" tc filter add dev tap0 parent ffff: protocol ip prio 1 \
			u32 match u16 0x8000 0x8000 at 2 match u16 0 0x1f at 4 \
			action mirred egress redirect dev sink ||
		errs+=("tc cannot take frames off the tap")
}

tap_lost_count() {
	tap_lost=$(ip netns exec "$ns" tc -s filter show dev tap0 ingress |
		sed -n 's/^[[:space:]]*Sent \([0-9]*\) bytes.*/\1/p' | head -n 1)
}

# Large segments lost on the way: lwIP sends them again, and the device
# cuts them again, until the host has the stream intact.
case_net_tx_lossy() {
	netns_pre=tap_lose_large netns_post=tap_lost_count \
		guest_send_case net_tx_lossy $((16 << 20))
	want_text "now send 16060-byte ones, for the device to cut at 1460"
	[ "${tap_lost:-0}" -gt 0 ] || errs+=("tc took no frame off the tap")
}

# A device that sends slowly (QEMU's transmit timer: up to 256 frames
# every 20 ms) and a guest that sends 2000 UDP datagrams at once: its ring
# fills, and the sender waits for room instead of dropping frames, so the
# host gets every datagram.
case_net_tx_ring_full() {
	local server
	netns_nic=virtio-net-device,tx=timer,x-txtimer=20000000 \
		netns_start net_tx_ring_full "loglevel=6 init=/bin/musl/t_net -- blast 10.0.0.1 7004 2000" "net: en0" || return
	ip netns exec "$ns" timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: root
s.bind(("10.0.0.1", 7004))
s.settimeout(40)  # until the first; "hello" may come before the bind
got = set()
try:
    while True:
        d = s.recv(2048)
        s.settimeout(3)
        if len(d) == 1400 and d.startswith(b"blast "):
            got.add(int(d[6:].split(b"\0")[0]))
except socket.timeout:
    pass
print("host: %d of 2000 datagrams" % len(got))
sys.exit(0 if len(got) == 2000 else 1)' >"$log.server" 2>&1 &
	server=$!
	netns_finish
	wait "$server" || errs+=("host server: $(tail -n 2 "$log.server" | tr '\n' ' ')")
	want_status 0
	want_text "t_net blast: sent 2000"
	want_text "transmit ring full; senders wait for the device"
	lack_text "dropping frames"
}

# A device without transmit offloads: every segment goes as lwIP made it.
case_net_tx_no_offloads() {
	netns_nic=virtio-net-device,csum=off guest_send_case net_tx_no_offloads $((8 << 20))
	lack_text "tx checksum"
	[ "$tap_rx_frames" -gt 0 ] && [ $((tap_rx_bytes / tap_rx_frames)) -le 1514 ] ||
		errs+=("the tap got $tap_rx_frames frames of $tap_rx_bytes bytes: larger than a wire frame")
}

# A host server at 10.0.0.1:$1 with a receive buffer of $2 bytes that
# accepts $3 connections and reads none, until stopped (pid in $server).
host_deaf_server() {
	ip netns exec "$ns" timeout 60 python3 -c '
import socket, sys, time
port, rcvbuf, n = map(int, sys.argv[1:])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
s.bind(("10.0.0.1", port))
s.listen(n)
held = [s.accept()[0] for _ in range(n)]
time.sleep(50)' "$1" "$2" "$3" >"$log.server" 2>&1 &
	server=$!
}

host_deaf_server_stop() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
}

# A host that accepts and never reads: the data cannot go, and the
# kernel's wait for it ends after a few seconds with one line.
case_net_exit_peer_stuck() {
	local server
	netns_start net_exit_peer_stuck "init=/bin/musl/t_net -- stuff 10.0.0.1 7002" "net: en0" || return
	host_deaf_server 7002 65536 1
	netns_finish
	host_deaf_server_stop
	want_status 0
	want_text "t_net stuff: "
	want_text "net: 1 connection still had data on its way at exit; gave up after 5 s"
}

# Send buffers (SO_SNDBUF): the host accepts three connections and reads
# none, its receive buffer made small so that what the guest takes
# before it blocks is about its send buffer.
case_net_sndbuf() {
	local server
	netns_start net_sndbuf "init=/bin/glibc/t_net -- sndbuf 10.0.0.1 7003" "net: en0" || return
	host_deaf_server 7003 4096 3
	netns_finish
	host_deaf_server_stop
	want_status 0
	want_text "t_net sndbuf: grown to 200000"
	want_text ", 0 failed"
	lack_text "still had data on its way"
}

# DHCP from dnsmasq in the namespace; then the host pings the leased address.
start_dnsmasq() {
	ip netns exec "$ns" timeout 60 dnsmasq --no-daemon --conf-file=/dev/null \
		--interface=tap0 --bind-interfaces --port=0 \
		--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h \
		--dhcp-option=3,10.0.0.1 --dhcp-option=6,10.0.0.2,10.0.0.3 \
		--dhcp-leasefile="$logs/dhcp.leases" \
		>"$logs/dnsmasq.log" 2>&1 &
	dnsmasq_pid=$!
	sleep 0.5
}

case_net_dhcp() {
	local addr
	rm -f "$logs/dhcp.leases"
	netns_pre=start_dnsmasq netns_ip=ip=dhcp \
		netns_start net_dhcp "init=/bin/musl/t_exit -- sleep 10" "DHCP from 10.0.0.1" || return
	addr=$(sed -n 's/.*net: en0 \([0-9.]*\)\/24 gw 10.0.0.1 (DHCP.*/\1/p' "$log")
	case $addr in
	10.0.0.5[0-9] | 10.0.0.60) ;;
	*) errs+=("leased address '$addr' is not from the DHCP range") ;;
	esac
	if [ -n "$addr" ] && ! ip netns exec "$ns" ping -c 2 -W 2 "$addr" >"$log.ping" 2>&1; then
		errs+=("no answer to ping at $addr")
	fi
	netns_finish
	kill "$dnsmasq_pid" 2>/dev/null
	wait "$dnsmasq_pid" 2>/dev/null
	want_status 0
}

# The lease's name servers end up in /etc/resolv.conf.
case_net_dhcp_dns() {
	rm -f "$logs/dhcp.leases"
	netns_pre=start_dnsmasq netns_ip=ip=dhcp \
		netns_start net_dhcp_dns "init=/bin/musl/t_exit -- cat /etc/resolv.conf" \
		"appliance: exit status" || return
	netns_finish
	kill "$dnsmasq_pid" 2>/dev/null
	wait "$dnsmasq_pid" 2>/dev/null
	want_status 0
	want_text "nameserver 10.0.0.2"
	want_text "nameserver 10.0.0.3"
}

case_net_dhcp_no_server() {
	boot net_dhcp_no_server "ip=dhcp" -device virtio-net-device
	want_status 5
	want_text "net: DHCP failed (no server answered)"
}

# Two guests on one bridge: one serves, the other connects to it.
case_net_two_vms() {
	local ns=aptest-$$-two i a b
	log=$logs/net_two_vms.log
	status=0
	ip netns del "$ns" 2>/dev/null
	if ! ip netns add "$ns" || ! ip netns exec "$ns" ip link add br0 type bridge ||
		! ip netns exec "$ns" ip link set br0 up; then
		errs+=("cannot set up a network namespace with a bridge")
		ip netns del "$ns" 2>/dev/null
		return
	fi
	for i in 0 1; do
		ip netns exec "$ns" ip tuntap add dev tap$i mode tap
		ip netns exec "$ns" ip link set tap$i master br0
		ip netns exec "$ns" ip link set tap$i up
	done
	vm() { # vm INDEX ADDR ARGS...
		local i=$1 ip=$2
		shift 2
		ip netns exec "$ns" timeout --kill-after=5 60 "$root/scripts/qemu.sh" \
			-kernel "$kernel" -initrd "$initrd" \
			-netdev tap,id=n0,ifname=tap$i,script=no,downscript=no \
			-device virtio-net-device,netdev=n0,mac=52:54:00:00:00:0$i \
			-append "ip=$ip/24 init=/bin/musl/t_net -- $*" \
			>"$logs/net_two_vms.$i.log" 2>&1
	}
	vm 0 10.0.0.5 serve 10.0.0.5 &
	a=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "t_net: listening" "$logs/net_two_vms.0.log" && break
		sleep 0.1
	done
	vm 1 10.0.0.6 connect 10.0.0.5 7 &
	b=$!
	wait "$b" || errs+=("the client guest failed: $(tail -n 3 "$logs/net_two_vms.1.log" | tr '\n' ' ')")
	wait "$a"
	status=$?
	ip netns del "$ns"
	cat "$logs/net_two_vms.1.log" "$logs/net_two_vms.0.log" >"$log"
	want_status 0
	want_text "t_net connect: "
	want_text "t_net serve: "
	lack_text "FAIL"
}

# Sockets from programs (musl and glibc), over the guest's own address.
for libc in musl glibc; do
	eval "case_sockets_$libc() { boot sockets_$libc 'ip=10.0.0.5/24 init=/bin/$libc/t_net -- 10.0.0.5' -initrd \"\$initrd\" -device virtio-net-device -smp 2; want_status 0; want_text 't_net: '; want_text ', 0 failed'; lack_text FAIL; }"
done

case_net_no_device() {
	boot net_no_device "ip=10.0.0.5/24"
	want_status 5
	want_text "ip=10.0.0.5/24 given, but there is no virtio-net device"
}

case_net_bad_ip() {
	boot net_bad_ip "ip=10.0.0.300/24"
	want_status 2
	want_text "option 'ip' needs ADDR/PREFIX"
}

# hostname= and dns= reach programs through uname() and /etc/resolv.conf.
case_hostname() {
	prog_case hostname 0 "hostname=node7 init=/bin/musl/t_exit -- uname" "t_exit: nodename node7"
}
case_hostname_bad() {
	boot hostname_bad "hostname=bad/name"
	want_status 2
	want_text "option 'hostname' needs 1-64 letters"
}
case_dns() {
	boot dns "ip=10.0.0.5/24 dns=10.0.0.1 dns=10.0.0.2 init=/bin/musl/t_exit -- cat /etc/resolv.conf" \
		-initrd "$initrd" -device virtio-net-device
	want_status 0
	want_text "nameserver 10.0.0.1"
	want_text "nameserver 10.0.0.2"
}

case_small_memory() {
	boot small_memory "selftest=heap_stress,thread_create_join" -m 16M
	want_status 0
	want_text "selftest: 2 passed, 0 failed"
}

# Programs from the test initrd (tests/vm/module.mk), once per C library.
initrd=$root/build/vm-initrd.cpio
prog_case() {
	local name=$1 expected=$2 append=$3
	shift 3
	boot "$name" "$append" -initrd "$initrd"
	want_status "$expected"
	local t
	for t in "$@"; do want_text "$t"; done
}
for libc in musl glibc glibc-pie; do
	id=${libc/-/_}
	eval "case_files_$id() { prog_case files_$id 0 'mount=/scratch,ramfs init=/bin/$libc/t_files' 't_files: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_mem_$id() { prog_case mem_$id 0 'init=/bin/$libc/t_mem' 't_mem: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_sys_$id() { prog_case sys_$id 0 'init=/bin/$libc/t_sys env.TEST_VAR=xyz -- one \"two words\"' 't_sys: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_fsthreads_$id() { prog_case fsthreads_$id 0 'init=/bin/$libc/t_fsthreads' 't_fsthreads: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_threads_$id() { prog_case threads_$id 0 'init=/bin/$libc/t_threads -- 1' 't_threads: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_pipe_$id() { prog_case pipe_$id 0 'init=/bin/$libc/t_pipe' 't_pipe: ' ', 0 failed'; lack_text FAIL; }"
	eval "case_exit_$id() { prog_case exit_$id 42 'init=/bin/$libc/t_exit -- 42' 't_exit: 42'; }"
	eval "case_segv_$id() { prog_case segv_$id 139 'init=/bin/$libc/t_exit -- segv' 'killed by SIGSEGV' 'bad write of address 0x8'; }"
done

# Threads on every vCPU: pthread stress at -smp 2 and 4, and the self-tests.
for n in 2 4; do
	for libc in musl glibc; do
		eval "case_threads_smp${n}_$libc() { boot threads_smp${n}_$libc 'init=/bin/$libc/t_threads -- $n' -initrd \"\$initrd\" -smp $n; want_status 0; want_text ', 0 failed'; lack_text FAIL; }"
	done
	eval "case_fsthreads_smp${n}() { boot fsthreads_smp${n} 'init=/bin/glibc/t_fsthreads' -initrd \"\$initrd\" -smp $n; want_status 0; want_text 't_fsthreads: '; want_text ', 0 failed'; lack_text FAIL; }"
	eval "case_selftest_smp$n() { boot selftest_smp$n 'selftest loglevel=6' -smp $n; want_status 0; want_regex '^selftest: [0-9]+ passed, 0 failed'; want_text 'smp: $n CPUs online'; }"
done

case_initrd_memory_released() {
	prog_case initrd_memory_released 0 "loglevel=6 init=/bin/musl/t_exit" "KiB are free memory again" "t_exit: 0"
}

case_prog_ro_write() {
	prog_case prog_ro_write 139 "init=/bin/musl/t_exit -- ro-write" "killed by SIGSEGV" "bad write of address"
}
case_prog_invalid_opcode() {
	prog_case prog_invalid_opcode 132 "init=/bin/musl/t_exit -- ud" "killed by SIGILL"
}
case_prog_divide() {
	prog_case prog_divide 136 "init=/bin/glibc/t_exit -- divide" "killed by SIGFPE"
}
case_prog_not_found() {
	prog_case prog_not_found 127 "init=/bin/nope" "program: cannot run /bin/nope: no such file"
}
case_prog_not_elf() {
	prog_case prog_not_elf 126 "init=/tmp" "program: cannot run /tmp"
}

# A small initrd with /init: the program runs without init=.
case_prog_default_init() {
	local dir=$logs/init-root
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$root/build/vm-root/bin/musl/t_exit" "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet) >"$logs/init.cpio"
	boot prog_default_init "" -initrd "$logs/init.cpio"
	want_status 0
	want_text "t_exit: 0"
}

# A program cut short: the loader refuses it before anything runs.
case_prog_truncated_elf() {
	local dir=$logs/trunc-root
	rm -rf "$dir" && mkdir -p "$dir/bin"
	head -c 6000 "$root/build/vm-root/bin/musl/t_exit" >"$dir/bin/cut"
	head -c 200 "$root/README.md" >"$dir/bin/text"
	chmod +x "$dir/bin/cut" "$dir/bin/text"
	(cd "$dir" && find . | cpio -o -H newc --quiet) >"$logs/trunc.cpio"
	boot prog_truncated_elf "init=/bin/cut" -initrd "$logs/trunc.cpio"
	want_status 126
	want_text "program: cannot run /bin/cut: segment"
	boot prog_truncated_elf "init=/bin/text" -initrd "$logs/trunc.cpio"
	want_status 126
	want_text "program: cannot run /bin/text: not an ELF file"
}

case_mount_unknown_fs() {
	prog_case mount_unknown_fs 2 "mount=/data,smb://10.0.0.1/export init=/bin/musl/t_exit" "unknown filesystem"
}

# A shared writable mapping of a ramfs file: t_nfs checks msync, munmap
# and fsync write-back in the guest.
case_mmap_shared_ramfs() {
	prog_case mmap_shared_ramfs 0 "mount=/scratch,ramfs init=/bin/glibc/t_nfs -- write /scratch/m 1000000 31 shared /scratch/m 1000000 31" \
		"t_nfs: shared /scratch/m done" ", 0 failed"
}

case_initrd_truncated() {
	head -c 100000 "$initrd" >"$logs/truncated.cpio"
	boot initrd_truncated "init=/bin/musl/t_exit" -initrd "$logs/truncated.cpio"
	want_status 4
	want_text "initrd: corrupt archive at offset"
}

case_initrd_garbage() {
	head -c 4096 /dev/urandom >"$logs/garbage.cpio"
	boot initrd_garbage "init=/bin/musl/t_exit" -initrd "$logs/garbage.cpio"
	want_status 4
	want_text "initrd: corrupt archive at offset 0: bad magic"
}

# NFS cases (nfs.sh), IPv6 cases (ipv6.sh) and PCI cases (pci.sh) use the
# namespace helpers above.
# shellcheck source=tests/vm/nfs.sh
source "$root/tests/vm/nfs.sh"
# shellcheck source=tests/vm/ipv6.sh
source "$root/tests/vm/ipv6.sh"
# shellcheck source=tests/vm/pci.sh
source "$root/tests/vm/pci.sh"

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	mapfile -t cases < <(declare -F | awk '{print $3}' | grep '^case_' | sed 's/^case_//')
fi
for c in "${cases[@]}"; do
	errs=()
	if ! declare -F "case_$c" >/dev/null; then
		echo "vm: no case named $c" >&2
		fail=$((fail + 1))
		continue
	fi
	"case_$c"
	finish "$c"
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
