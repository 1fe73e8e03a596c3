/*
 * kernel_main: from a running machine to the program. It parses the
 * command line (a bad one ends the VM with EXIT_USAGE and the list of
 * options), starts the console, reports the boot time, and then runs what
 * the command line asks for: `help`, the self-tests, a deliberate crash
 * (to test the fatal-error path), or the program.
 *
 * The program options (`init=`, `env.NAME=VALUE`, `-- args`) are recorded
 * here for the program loader.
 */
#include <drivers/pci.h>
#include <drivers/virtio_mmio.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/errno.h>
#include <kernel/heap.h>
#include <kernel/init.h>
#include <kernel/net.h>
#include <kernel/page.h>
#include <kernel/initrd.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/program.h>
#include <kernel/selftest.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/vm.h>
#include <vfs/vfs.h>

static bool show_help;
KPARAM_FLAG(show_help, "help", "print every option with its help, then exit 0");

static const char *init_path;
KPARAM_STRING(init_path, "init",
	      "absolute path of the program to run (arguments follow '--')");

#define MAX_ENV 256
/* "NAME=VALUE" strings for the program's environment, NULL-terminated. */
static const char *program_env[MAX_ENV + 1];
static unsigned program_envc;

static bool env_name_valid(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int set_env(const char *name, const char *value, char *err,
		   size_t errlen)
{
	const char *var = name + strlen("env.");
	size_t len = strlen(var);

	if (!env_name_valid(var) || !value) {
		snprintf(
			err, errlen,
			"option '%.64s' must be env.NAME=VALUE with NAME made of letters, digits and '_'",
			name);
		return -EINVAL;
	}
	for (unsigned i = 0; i < program_envc; i++) {
		if (!strncmp(program_env[i], var, len) &&
		    program_env[i][len] == '=') {
			snprintf(err, errlen,
				 "option '%s' given more than once", name);
			return -EINVAL;
		}
	}
	if (program_envc == MAX_ENV) {
		snprintf(err, errlen, "more than %d env. options", MAX_ENV);
		return -E2BIG;
	}
	size_t vlen = strlen(value);
	char *s = kmalloc(len + 1 + vlen + 1);
	if (!s) {
		snprintf(err, errlen, "out of memory for option '%s'", name);
		return -ENOMEM;
	}
	memcpy(s, var, len);
	s[len] = '=';
	memcpy(s + len + 1, value, vlen + 1);
	program_env[program_envc++] = s;
	program_env[program_envc] = NULL;
	return 0;
}
KPARAM_CUSTOM(env, "env.", "env.NAME=VALUE", set_env, true, true,
	      "set NAME=VALUE in the program's environment");

static const char *selftest_only;
static bool selftest_requested;

static int set_selftest(const char *name, const char *value, char *err,
			size_t errlen)
{
	if (value && !*value) {
		snprintf(err, errlen, "option 'selftest=' needs test names");
		return -EINVAL;
	}
	selftest_requested = true;
	selftest_only = value;
	return 0;
}
KPARAM_CUSTOM(
	selftest, "selftest", "selftest[=NAME,...]", set_selftest, false, false,
	"run the kernel self-tests (all, or the named ones); exit 0 if all pass");

static const char *crash_kind;
KPARAM_STRING(
	crash_kind, "crash",
	"crash on purpose after boot to test the fatal-error path: "
	"page-fault, invalid-opcode, divide-error, stack-smash, panic, assert");

/* Defeats constant folding so the crashes below happen at run time. */
static volatile uintptr_t crash_operand;

/* Overruns a local buffer: the stack protector must catch it. */
static __attribute__((noinline)) void crash_stack_smash(size_t n)
{
	char buf[16];
	for (size_t i = 0; i < n; i++)
		buf[i] = 'A';
	/* Let the compiler see a use, so the stores stay. */
	__asm__ volatile("" : : "r"(buf) : "memory");
}

static __noreturn void crash(const char *kind)
{
	pr_notice("crash: %s, on purpose", kind);
	if (!strcmp(kind, "page-fault")) {
		crash_operand = 0xdead000;
		*(volatile uint64_t *)crash_operand = 1;
	} else if (!strcmp(kind, "invalid-opcode")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(kind, "divide-error")) {
		/* In asm: the compiler turns 1 / x into x == 1. */
		uint32_t lo = 1, hi = 0, zero = (uint32_t)crash_operand;
		__asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
	} else if (!strcmp(kind, "stack-smash")) {
		crash_stack_smash(64 + (size_t)crash_operand);
	} else if (!strcmp(kind, "panic")) {
		panic("crash=panic given on the command line");
	} else if (!strcmp(kind, "assert")) {
		ASSERT(crash_operand == 1);
	} else if (!strcmp(kind, "out-of-memory")) {
		/* Never freed: runs until the allocator gives up. */
		for (;;)
			crash_operand = (uintptr_t)kmalloc_nofail(MiB);
	} else {
		console_printf("cmdline: crash=%s: unknown kind\n", kind);
		kernel_exit(EXIT_USAGE);
	}
	panic("crash=%s did not crash", kind);
}

void __stack_chk_fail(void);
__noreturn void __stack_chk_fail(void)
{
	panic("stack smashing detected: a stack buffer overran its canary");
}

static void report_boot_time(void)
{
	uint64_t ns = clock_monotonic_ns();
	pr_notice("appliance: booted in %lu.%03lu ms", ns / NSEC_PER_MSEC,
		  ns / NSEC_PER_USEC % 1000);
}

/* The root ramfs, the initrd in it, the command line's mounts, the console. */
static void root_fs_init(const struct boot_params *bp)
{
	char err[200];
	int ret = vfs_init();
	if (ret) {
		pr_err("vfs: cannot create the root filesystem (%d)", ret);
		kernel_exit(EXIT_BOOT_FAILED);
	}
	if (bp->initrd.size) {
		ret = initrd_unpack(phys_to_virt(bp->initrd.base),
				    bp->initrd.size, err, sizeof(err));
		if (ret) {
			pr_err("initrd: %s", err);
			kernel_exit(EXIT_BAD_INITRD);
		}
		/* Its files are in the ramfs now: its memory is free RAM. */
		pmm_release_range(bp->initrd.base, bp->initrd.size);
		pr_info("initrd: its %lu KiB are free memory again",
			bp->initrd.size / KiB);
	}
	ret = vfs_mount_cmdline();
	if (ret)
		kernel_exit(EXIT_BOOT_FAILED);
	ret = net_write_resolv_conf();
	if (ret) {
		pr_err("net: cannot write /etc/resolv.conf (%d)", ret);
		kernel_exit(EXIT_BOOT_FAILED);
	}
	ret = vfs_open_console_fds();
	if (ret) {
		pr_err("vfs: cannot open the console for the program (%d)",
		       ret);
		kernel_exit(EXIT_BOOT_FAILED);
	}
}

/* Defaults a program finds in its environment unless env. sets them. */
static const char *const default_env[] = { "PATH=/usr/local/bin:/usr/bin:/bin",
					   "HOME=/" };

static __noreturn void run_program(const char *path)
{
	static const char *argv[CMDLINE_MAX_ARGS + 2];
	static const char *envp[MAX_ENV + ARRAY_SIZE(default_env) + 1];
	unsigned n = 0;

	argv[0] = path;
	for (unsigned i = 0; i < cmdline_argc; i++)
		argv[i + 1] = cmdline_argv[i];
	for (size_t d = 0; d < ARRAY_SIZE(default_env); d++) {
		size_t len = strchr(default_env[d], '=') - default_env[d] + 1;
		bool set = false;
		for (unsigned i = 0; i < program_envc; i++)
			set |= !strncmp(program_env[i], default_env[d], len);
		if (!set)
			envp[n++] = default_env[d];
	}
	for (unsigned i = 0; i < program_envc; i++)
		envp[n++] = program_env[i];
	report_boot_time();
	int ret = program_start(path, argv, envp);
	if (ret)
		kernel_exit(ret == -ENOENT || ret == -ENOTDIR ?
				    EXIT_NOT_FOUND :
				    EXIT_CANNOT_EXECUTE);
	/* The program runs in its own threads; its end ends the VM. */
	for (;;)
		thread_sleep_ns(3600 * NSEC_PER_SEC);
}

static __noreturn void usage_error(const char *what)
{
	printk_console_start();
	console_printf("cmdline: %s\n", what);
	cmdline_print_help();
	kernel_exit(EXIT_USAGE);
}

__noreturn void kernel_main(const struct boot_params *bp)
{
	char err[256];

	if (bp->cmdline_truncated)
		usage_error(
			"the command line is longer than the kernel accepts");
	if (cmdline_parse(bp->cmdline, err, sizeof(err)))
		usage_error(err);
	printk_console_start();
	console_check_option();
	if (show_help) {
		cmdline_print_help();
		kernel_exit(0);
	}

	vm_init();
	if (init_path && init_path[0] != '/')
		usage_error("init= needs an absolute path");
	virtio_mmio_probe();
	pci_probe();
	if (net_init())
		kernel_exit(EXIT_BOOT_FAILED);
	if (crash_kind)
		crash(crash_kind);
	if (selftest_requested) {
		report_boot_time();
		int failed = selftest_run(selftest_only);
		if (failed < 0)
			kernel_exit(EXIT_USAGE);
		kernel_exit(failed ? EXIT_SELFTEST_FAILED : 0);
	}
	root_fs_init(bp);
	const char *path = init_path;
	if (!path && bp->initrd.size)
		path = "/init";
	if (!path) {
		report_boot_time();
		pr_err("appliance: no program to run: give init=/path and an initrd "
		       "(or `help` for the options)");
		kernel_exit(EXIT_NO_PROGRAM);
	}
	run_program(path);
}
