/*
 * Starting and ending the program. program_start() loads the ELF file
 * in the calling (boot) thread, so that a program that cannot start is
 * reported with a clear error and exit status before any thread runs it;
 * then a kernel thread with a full-size stack enters ring 3.
 *
 * Program threads are counted; exit_group or the last exit ends the VM
 * with the status (kernel_exit), since the appliance exists to run it.
 */
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/net.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/program.h>
#include <kernel/thread.h>
#include <kernel/vm.h>
#include <vfs/vfs.h>

static long pid;
static unsigned long live_threads; /* program threads not yet exited */

struct start_info {
	uintptr_t entry, sp;
};
static struct start_info start;

static void main_thread(void *arg)
{
	struct start_info *si = arg;
	thread_current()->is_program = true;
	user_enter(si->entry, si->sp);
}

static const char *errno_text(int err)
{
	switch (-err) {
	case ENOENT:
		return "no such file";
	case EACCES:
		return "permission denied";
	case ENOEXEC:
		return "not a program this kernel can run";
	case ENOMEM:
		return "out of memory";
	case E2BIG:
		return "arguments and environment too large";
	case EISDIR:
		return "is a directory";
	case ENOTDIR:
		return "a path component is not a directory";
	default:
		return "error";
	}
}

int program_start(const char *path, const char *const argv[],
		  const char *const envp[])
{
	char why[160] = "";
	struct elf_image img;
	int ret;

	futex_init();
	struct file *f = vfs_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		ret = (int)PTR_ERR(f);
		pr_err("program: cannot run %s: %s (%d)", path, errno_text(ret),
		       ret);
		return ret;
	}
	ret = elf_load(f, &img, why, sizeof(why));
	file_put(f);
	if (ret) {
		pr_err("program: cannot run %s: %s", path,
		       why[0] ? why : errno_text(ret));
		return ret;
	}
	vm_set_brk_start(img.brk_start);
	ret = elf_build_stack(&img, path, argv, envp, &start.sp);
	if (ret) {
		pr_err("program: cannot run %s: %s", path, errno_text(ret));
		return ret;
	}
	start.entry = img.entry;
	live_threads = 1;
	struct thread *t = thread_create("main", main_thread, &start);
	if (IS_ERR(t)) {
		pr_err("program: cannot create its first thread");
		return (int)PTR_ERR(t);
	}
	pid = (long)t->id;
	thread_detach(t);
	pr_info("program: %s started, entry 0x%lx", path, img.entry);
	return 0;
}

long program_pid(void)
{
	return pid;
}

/*
 * Before the VM goes: what the program changed in shared file mappings
 * reaches the files, what it wrote reaches storage (NFS writes behind),
 * and what it sent over TCP reaches its peers. Returns whether the
 * files were written back.
 */
static bool program_end(void)
{
	int ret = vm_sync_backing(NULL);
	if (ret)
		pr_warn("program: writing shared mappings back at exit failed (%d)",
			ret);
	int lost = vfs_sync();
	if (lost)
		pr_err("program: writing files back at exit failed (%d)", lost);
	net_drain();
	return !lost;
}

/* A program that succeeded but whose output was lost ends with 1. */
__noreturn void program_exit(int status)
{
	if (!program_end() && (status & 0xff) == 0) {
		pr_err("program: exit status 1, not 0: its files were not all written");
		status = 1;
	}
	kernel_exit(status & 0xff);
}

void program_thread_starting(void)
{
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_ACQ_REL);
}

__noreturn void program_thread_exit(int status)
{
	program_thread_cleanup(thread_current());
	if (__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0)
		program_exit(status);
	thread_exit();
}

__noreturn void program_kill(int signo)
{
	program_end();
	kernel_exit(128 + signo);
}
