# shellcheck shell=bash
# IPv6 cases, sourced by tests/vm/run.sh: link-local addresses, static
# global ones (ip6=ADDR/64), addresses from router advertisements
# (ip6=auto, with dnsmasq as the router) and IPv6-only guests. The guest's
# MAC is QEMU's default 52:54:00:12:34:56, so its interface id (EUI-64) is
# 5054:ff:fe12:3456. run.sh's variables (root, logs, log, ns, guest,
# status, errs) are used and set here:
# shellcheck disable=SC2154,SC2034

# ping -6 to $1 from the namespace, a few tries while the guest comes up.
ping6_guest() {
	local i
	for ((i = 0; i < 10; i++)); do
		ip netns exec "$ns" ping -6 -c 1 -W 1 "$1" >"$log.ping" 2>&1 && return 0
		sleep 0.5
	done
	errs+=("no answer to ping -6 $1: $(tail -n 1 "$log.ping")")
}

# A line to the guest's echo server at [$1]:7 and back.
echo6_guest() {
	ip netns exec "$ns" timeout 20 python3 -c '
import socket, sys
s = socket.create_connection(("'"$1"'", 7), timeout=10)
s.sendall(b"over ipv6\n")
got = s.recv(64)
s.close()
sys.exit(0 if got == b"over ipv6\n" else "echo: %r" % got)
' >"$log.client" 2>&1 || errs+=("TCP over IPv6 to $1: $(tail -n 1 "$log.client")")
}

# The guest's link-local address answers ping once duplicate-address
# detection is over, and a TCP server bound to [::] echoes over it.
case_net_ipv6() {
	netns_start net_ipv6 "init=/bin/musl/t_net -- serve ::" "t_net: listening" || return
	local ll=fe80::5054:ff:fe12:3456
	ping6_guest "$ll%tap0"
	echo6_guest "$ll%tap0"
	netns_finish
	want_status 0
	want_text "t_net: address en0 $ll"
	want_text "t_net serve: "
	want_text ", 0 failed"
}

# netns_pre hook: a unique local /64 on the host side of the tap.
host_ipv6() {
	ip netns exec "$ns" ip -6 addr add fd00:1::1/64 dev tap0 nodad
}

# ip6=ADDR/64 next to ip=: usable at once, listed by getifaddrs, reached
# by ping and TCP from the host.
case_net_ipv6_static() {
	netns_pre=host_ipv6 netns_start net_ipv6_static \
		"ip6=fd00:1::5/64 init=/bin/glibc/t_net -- serve ::" "t_net: listening" || return
	ping6_guest fd00:1::5
	echo6_guest fd00:1::5
	netns_finish
	want_status 0
	want_text "net: en0 fd00:1::5/64"
	want_text "t_net: address en0 fd00:1::5"
	want_text "t_net: address en0 10.0.0.5"
	want_text ", 0 failed"
}

# An IPv6-only guest (no ip=) connects to a host server.
case_net_ipv6_only() {
	local server
	netns_pre=host_ipv6 netns_ip="ip6=fd00:1::5/64" netns_start net_ipv6_only \
		"init=/bin/musl/t_net -- connect fd00:1::1" "net: en0" || return
	host_echo_server fd00:1::1 fd00:1::5
	netns_finish
	host_server_check
	want_status 0
	want_text "t_net connect: "
	want_text ", 0 failed"
	lack_text "net: en0 10."
}

# netns_pre hook: dnsmasq sends router advertisements for fd00:2::/64;
# the host also owns fd00:9::1 on its loopback, off the guest's link.
start_radvd() {
	ip netns exec "$ns" ip -6 addr add fd00:2::1/64 dev tap0 nodad
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip -6 addr add fd00:9::1/128 dev lo
	ip netns exec "$ns" timeout 60 dnsmasq --no-daemon --conf-file=/dev/null \
		--interface=tap0 --bind-interfaces --port=0 --enable-ra \
		--dhcp-range=fd00:2::,ra-only,64,1h --dhcp-leasefile="$logs/ra.leases" \
		>"$logs/dnsmasq-ra.log" 2>&1 &
	dnsmasq_pid=$!
	sleep 0.5
}

# ip6=auto: the address comes from the advertised prefix and the guest's
# interface id; the advertising router carries traffic beyond the /64.
case_net_ipv6_auto() {
	local a=fd00:2::5054:ff:fe12:3456 server
	netns_pre=start_radvd netns_ip="ip6=auto" netns_timeout=90 netns_start net_ipv6_auto \
		"init=/bin/musl/t_net -- connect fd00:9::1" "net: en0" || { kill "$dnsmasq_pid"; return; }
	host_echo_server fd00:9::1 "$a" 40
	netns_finish
	kill "$dnsmasq_pid" 2>/dev/null
	host_server_check
	want_status 0
	want_text "net: en0 $a/64 (router advertisement)"
	want_text "t_net connect: "
	want_text ", 0 failed"
}

# ip6=auto without a router: one clear line after the wait, and the boot
# fails.
case_net_ipv6_auto_no_router() {
	boot net_ipv6_auto_no_router "ip6=auto" -device virtio-net-device
	want_status 5
	want_text "net: en0: no IPv6 router advertisement with a prefix within 10 s (ip6=auto)"
}

case_net_ipv6_bad_option() {
	local a
	for a in "ip6=fd00::5/48" "ip6=fe80::5/64" "ip6=ff02::1/64" "ip6=fd00::5" \
		"ip6=fd00::5::6/64" "ip6=::/64" "ip6=auto6" "ip6.1=10.0.0.5/24"; do
		boot net_ipv6_bad_option "$a"
		want_status 2
		want_text "cmdline: option 'ip6"
		[ "$status" -eq 2 ] || errs+=("for: $a")
	done
}
