#!/usr/bin/env python3
"""Samples where the guest's vCPUs are, through QEMU's gdbstub.

Start QEMU with `-s -S` (stopped, gdbstub on TCP port 1234), then:

    scripts/vcpu-profile.py --kernel build/kernel.elf [--lwip-base ADDR]
        [--port 1234] [--delay S] [--duration S] [--top N]

The script lets the VM run, waits --delay seconds, then for --duration
seconds stops every vCPU every few milliseconds, reads each one's rip and
lets them go on. It prints the share of samples per kernel symbol
(`nm` of --kernel); addresses in lwIP (--lwip-base: where the kernel's
log, at loglevel=6, says liblwip.so.0 was loaded) are named from the
library's dynamic symbols (its static functions as offsets into it, to
look up with `objdump -d`), program addresses count as <program>. A vCPU
parked in the idle loop shows as idle_loop; one that waits for QEMU (an
MMIO or MSR access, an IPI) shows at that instruction. Stopping the VM
costs time, so the workload runs slower while it is sampled.
"""
import argparse
import bisect
import collections
import socket
import subprocess
import sys
import time

LWIP = "/usr/lib/x86_64-linux-gnu/liblwip.so.0"


class Stub:
    """The GDB remote protocol, as little of it as sampling needs."""

    def __init__(self, port):
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit("vcpu-profile: no gdbstub on port %d" % port)
                time.sleep(0.05)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.cmd("QStartNoAckMode")

    def send(self, data):
        check = sum(data.encode()) & 0xFF
        self.sock.sendall(("$%s#%02x" % (data, check)).encode())

    def recv(self):
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start)
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                packet = self.buf[start + 1:end].decode()
                self.buf = self.buf[end + 3:]
                return packet
            more = self.sock.recv(65536)
            if not more:
                raise EOFError("the VM ended")
            self.buf += more

    def cmd(self, data):
        self.send(data)
        return self.recv()

    def stop(self):
        self.sock.sendall(b"\x03")
        while self.recv()[:1] not in ("T", "S"):
            pass

    def threads(self):
        ids, reply = [], self.cmd("qfThreadInfo")
        while reply.startswith("m"):
            ids += reply[1:].split(",")
            reply = self.cmd("qsThreadInfo")
        return ids

    def rip(self, thread):
        self.cmd("Hg" + thread)
        regs = self.cmd("g")  # x86_64: rip is the 17th 8-byte register
        return int.from_bytes(bytes.fromhex(regs[256:272]), "little")


def symbols(path, dynamic=False, base=0):
    args = ["nm", "-n", "--defined-only"] + (["-D"] if dynamic else [])
    out = subprocess.run(args + [path], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "tTwWrR":  # stubs live in rodata
            syms.append((int(parts[0], 16) + base, parts[2]))
    return sorted(syms)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--lwip-base", type=lambda v: int(v, 0))
    ap.add_argument("--port", type=int, default=1234)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--duration", type=float, default=3)
    ap.add_argument("--top", type=int, default=30)
    a = ap.parse_args()

    kernel = symbols(a.kernel)
    lwip = []
    if a.lwip_base:
        lwip = [(addr, "lwip:" + name) for addr, name in
                symbols(LWIP, dynamic=True, base=a.lwip_base)]
    stub = Stub(a.port)
    stub.send("c")
    time.sleep(a.delay)
    samples = []
    end = time.time() + a.duration
    try:
        while time.time() < end:
            time.sleep(0.003)
            stub.stop()
            samples += [stub.rip(t) for t in stub.threads()]
            stub.send("c")
        stub.stop()
        stub.cmd("D")  # detach: the VM goes on without the stub
    except EOFError:
        pass
    counts = collections.Counter()
    for rip in samples:
        if rip < 1 << 47:
            counts["<program>"] += 1
            continue
        in_lwip = a.lwip_base and rip >= a.lwip_base
        table = lwip if in_lwip else kernel
        i = bisect.bisect_right(table, (rip, "\xff")) - 1
        if i < 0:
            name = hex(rip)
        elif in_lwip and rip - table[i][0] > 2048:
            # lwIP's static functions have no dynamic symbol: an offset.
            name = "lwip:+0x%x" % ((rip - a.lwip_base) & ~0xFF)
        else:
            name = table[i][1]
        counts[name] += 1
    total = sum(counts.values()) or 1
    print("vcpu-profile: %d samples" % total)
    for name, n in counts.most_common(a.top):
        print("%5.1f%% %6d %s" % (100.0 * n / total, n, name))


if __name__ == "__main__":
    main()
