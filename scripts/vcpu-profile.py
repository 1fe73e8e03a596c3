#!/usr/bin/env python3
"""Samples where the guest's vCPUs are, through QEMU's gdbstub.

Start QEMU with `-s -S` (stopped, gdbstub on TCP port 1234), then:

    scripts/vcpu-profile.py --kernel build/kernel.elf [--lwip-base ADDR]
        [--port 1234] [--delay S] [--duration S] [--top N] [--stack N]

The script lets the VM run, waits --delay seconds, then for --duration
seconds stops every vCPU every few milliseconds, reads each one's rip and
lets them go on. It prints the share of samples per kernel symbol
(`nm` of --kernel); addresses in lwIP (--lwip-base: where the kernel's
log, at loglevel=6, says liblwip.so.0 was loaded) are named from the
library's dynamic symbols (its static functions as offsets into it, to
look up with `objdump -d`), program addresses count as <program>.
--stack N also counts call chains, N callers deep, along the kernel's
frame pointers (to see whose lock a spinning vCPU waits for). A vCPU
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
PROLOGUE = bytes.fromhex("554889e5")  # push %rbp; mov %rsp,%rbp


KERNEL_HALF = 1 << 47  # addresses below are the program's


class Code:
    """Where code is: the kernel's text (_text to _etext, its symbols to
    find where a function starts), lwIP (from --lwip-base up) and the
    program. Stacks and heap (the direct map) are none of these."""

    def __init__(self, syms, lwip_base):
        bound = {name: addr for addr, name in syms
                 if name in ("_text", "_etext")}
        self.text, self.etext = bound["_text"], bound["_etext"]
        self.addrs = [addr for addr, name in syms
                      if self.text <= addr <= self.etext]
        self.lwip_base = lwip_base

    def in_kernel(self, addr):
        return self.text <= addr < self.etext

    def is_code(self, addr):
        return (addr < KERNEL_HALF or self.in_kernel(addr) or
                bool(self.lwip_base) and addr >= self.lwip_base)

    def start(self, addr):
        return self.addrs[bisect.bisect_right(self.addrs, addr) - 1]


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
        self.framed = {}  # function start: does it set up rbp?
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

    def regs(self, thread):
        """rip, rsp and rbp: x86_64's g packet has rbp 7th, rsp 8th and rip
        17th."""
        self.cmd("Hg" + thread)
        regs = self.cmd("g")
        def reg(i):
            return int.from_bytes(bytes.fromhex(regs[16 * i:16 * i + 16]),
                                  "little")
        return reg(16), reg(7), reg(6)

    def read(self, addr, n):
        reply = self.cmd("m%x,%d" % (addr, n))
        if len(reply) != 2 * n:  # "E.." where nothing is mapped
            return None
        return bytes.fromhex(reply)

    def read64(self, addr):
        data = self.read(addr, 8)
        return None if data is None else int.from_bytes(data, "little")

    def chain(self, thread, depth, code):
        """rip and up to @depth return addresses. The walk follows the
        kernel's frame pointers; in a function that has not set up its
        frame (a leaf built without one, or one stopped on its first
        instruction) the caller is read from the stack instead. It ends
        after the first address outside the kernel (lwIP and the program
        keep no frame pointers), and before a "return address" that is
        no code at all (a frame pointer that was not one)."""
        rip, rsp, rbp = self.regs(thread)
        out = [rip]

        def add(ret):
            if ret is None or not code.is_code(ret):
                return False
            out.append(ret)
            return True

        if depth and code.in_kernel(rip):
            start = code.start(rip)
            if start not in self.framed:
                self.framed[start] = self.read(start, 4) == PROLOGUE
            if not self.framed[start] or rip - start < 4:
                if not add(self.read64(rsp if rip == start or
                                       not self.framed[start] else rsp + 8)):
                    return tuple(out)
        while (len(out) <= depth and code.in_kernel(out[-1]) and
               rbp >= KERNEL_HALF):
            ret, rbp = self.read64(rbp + 8), self.read64(rbp)
            if rbp is None or not add(ret):
                break
        return tuple(out)

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
    ap.add_argument("--stack", type=int, default=0,
                    help="also count call chains of this many callers")
    a = ap.parse_args()

    kernel = symbols(a.kernel)
    code = Code(kernel, a.lwip_base)
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
            samples += [stub.chain(t, a.stack, code)
                        for t in stub.threads()]
            stub.send("c")
        stub.stop()
        stub.cmd("D")  # detach: the VM goes on without the stub
    except EOFError:
        pass
    def name(rip):
        if rip < KERNEL_HALF:
            return "<program>"
        in_lwip = a.lwip_base and rip >= a.lwip_base
        table = lwip if in_lwip else kernel
        i = bisect.bisect_right(table, (rip, "\xff")) - 1
        if i < 0:
            return hex(rip)
        if in_lwip and rip - table[i][0] > 2048:
            # lwIP's static functions have no dynamic symbol: an offset.
            return "lwip:+0x%x" % ((rip - a.lwip_base) & ~0xFF)
        return table[i][1]

    counts = collections.Counter(name(c[0]) for c in samples)
    total = sum(counts.values()) or 1
    print("vcpu-profile: %d samples" % total)
    for what, n in counts.most_common(a.top):
        print("%5.1f%% %6d %s" % (100.0 * n / total, n, what))
    if a.stack:
        chains = collections.Counter(
            " < ".join(name(r) for r in c) for c in samples
            if name(c[0]) != "idle_loop")
        print("vcpu-profile: call chains (callee < caller ...), idle left out")
        for what, n in chains.most_common(a.top):
            print("%5.1f%% %6d %s" % (100.0 * n / total, n, what))

if __name__ == "__main__":
    main()
