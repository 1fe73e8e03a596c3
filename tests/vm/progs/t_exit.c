/*
 * Program endings: `t_exit N` exits with status N after printing a line;
 * `t_exit sleep S` sleeps S seconds first (for host-side network tests);
 * `t_exit uname` prints the node name, `t_exit cat FILE` a file;
 * `t_exit segv|ro-write|ud|divide` dies of the matching fault, which the
 * kernel reports and turns into status 128 + signal.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "0";
	printf("t_exit: %s\n", what);
	fflush(stdout);
	if (!strcmp(what, "sleep")) {
		/* Stays up for a host-side test (network), then exits 0. */
		sleep(argc > 2 ? (unsigned)atoi(argv[2]) : 5);
		return 0;
	}
	if (!strcmp(what, "uname")) {
		struct utsname u;
		uname(&u);
		printf("t_exit: nodename %s\n", u.nodename);
		return 0;
	}
	if (!strcmp(what, "cat") && argc > 2) {
		char buf[512];
		FILE *f = fopen(argv[2], "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		buf[n] = 0;
		printf("%s", buf);
		return f ? 0 : 1;
	}
	if (!strcmp(what, "segv")) {
		volatile uintptr_t addr = 8;
		*(volatile int *)addr = 1;
	}
	if (!strcmp(what, "ro-write")) {
		char *p = mmap(NULL, 4096, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*(volatile char *)p = 1;
	}
	if (!strcmp(what, "ud"))
		__asm__ volatile("ud2");
	if (!strcmp(what, "divide")) {
		/* In asm: compilers turn 1 / x into x == 1. */
		unsigned lo = 1, hi = 0, zero = 0;
		__asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
	}
	return atoi(what);
}
