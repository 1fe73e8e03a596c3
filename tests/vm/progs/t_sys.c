/*
 * Process, time and miscellaneous system calls: ids, uname, limits,
 * randomness, sysinfo, signal dispositions and masks (recorded), clocks
 * and sleeps, the auxiliary vector, argv/envp from the command line, and
 * -ENOSYS for calls the kernel does not have.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void handler(int sig)
{
	(void)sig;
}

int main(int argc, char **argv, char **envp)
{
	/* The runner boots with: -- one "two words" and env.TEST_VAR=xyz */
	CHECK(argc == 3 && !strcmp(argv[1], "one") &&
	      !strcmp(argv[2], "two words") && argv[3] == NULL);
	CHECK(getenv("TEST_VAR") && !strcmp(getenv("TEST_VAR"), "xyz"));
	CHECK(getenv("PATH") != NULL && envp[0] != NULL);
	CHECK(getauxval(AT_PAGESZ) == 4096);
	CHECK(getauxval(AT_ENTRY) != 0 && getauxval(AT_PHDR) != 0);
	CHECK(getauxval(AT_RANDOM) != 0 && getauxval(AT_CLKTCK) == 100);
	CHECK(getauxval(AT_EXECFN) &&
	      !strcmp((char *)getauxval(AT_EXECFN), argv[0]));

	CHECK(getpid() > 0 && getpid() == syscall(SYS_gettid));
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0);
	struct utsname u;
	CHECK(uname(&u) == 0 && !strcmp(u.sysname, "Linux") &&
	      !strcmp(u.machine, "x86_64"));
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0);
	rl.rlim_cur = 100;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 100);
	char rnd[64] = { 0 }, zero[64] = { 0 };
	CHECK(getrandom(rnd, sizeof(rnd), 0) == 64 && memcmp(rnd, zero, 64));
	struct sysinfo si;
	CHECK(sysinfo(&si) == 0 && si.totalram > si.freeram && si.freeram > 0);
	CHECK(sched_yield() == 0);

	struct sigaction sa = { .sa_handler = handler }, old;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == handler);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	sigset_t set, cur;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 &&
	      sigismember(&cur, SIGUSR2));

	/* Clocks and sleeps */
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	CHECK(nanosleep(&ts, NULL) == 0);
	uint64_t slept = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(slept >= 20 * 1000 * 1000 && slept < 2000ull * 1000 * 1000);
	CHECK(clock_getres(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec == 0 &&
	      ts.tv_nsec > 0);
	CHECK_ERR(clock_gettime((clockid_t)99, &ts), EINVAL);
	ts.tv_nsec = 2000000000;
	CHECK_ERR(syscall(SYS_nanosleep, &ts, NULL), EINVAL);
	uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (volatile int i = 0; i < 3000000; i++)
		;
	CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) > c0);
	CHECK(now_ns(CLOCK_THREAD_CPUTIME_ID) > 0);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 5 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >=
	      (uint64_t)abs.tv_sec * 1000000000u + (uint64_t)abs.tv_nsec);

	/* What this kernel does not do, it says so. */
	CHECK_ERR(syscall(SYS_fork), ENOSYS);
	CHECK_ERR(syscall(SYS_io_setup, 1, NULL), ENOSYS);
	CHECK_ERR(syscall(5000), ENOSYS);
	DONE("t_sys");
}
