/*
 * Ring 3: SYSCALL set-up, the first entry into the program, the system
 * call dispatcher, and faults taken by program code.
 *
 * A fault in the program that its address space cannot resolve ends the
 * program as if by the matching signal (status 128 + N), after one report
 * of what happened and where; signal handlers are not delivered yet.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/io.h>
#include <arch/x86_64/traps.h>
#include <kernel/errno.h>
#include <kernel/irqflags.h>
#include <kernel/printk.h>
#include <kernel/program.h>
#include <kernel/sched.h>
#include <kernel/syscalls.h>
#include <kernel/thread.h>
#include <kernel/vm.h>

void syscall_entry(void);
__noreturn void user_jump(struct trap_frame *tf);

#define RFLAGS_IF (1UL << 9)
/* Cleared on SYSCALL: interrupts, direction, trap, alignment check, NT. */
#define SYSCALL_FMASK 0x47700UL

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL: CS 0x08, SS 0x10; SYSRET: CS 0x10+16|3, SS 0x10+8|3. */
	wrmsr(MSR_STAR, ((uint64_t)GDT_KERNEL_DS << 48) |
				((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
}

__noreturn void user_enter(uintptr_t entry, uintptr_t sp)
{
	struct thread *t = thread_current();
	/*
	 * The frame lives in this function's stack frame: user_jump() makes
	 * it the stack and returns through it, and later entries from ring 3
	 * start again at the top of this thread's kernel stack.
	 */
	struct trap_frame tf = {
		.rip = entry,
		.cs = GDT_USER_CS,
		.rflags = RFLAGS_IF,
		.rsp = sp,
		.ss = GDT_USER_DS,
	};

	local_irq_disable();
	t->user_fs = 0;
	t->is_program = true;
	user_jump(&tf);
}

__noreturn void user_resume(const struct trap_frame *frame, uint64_t fs)
{
	struct trap_frame tf = *frame; /* on this stack: see user_enter */
	local_irq_disable();
	thread_current()->user_fs = fs;
	thread_current()->is_program = true;
	user_jump(&tf);
}

/* Called on every way back to the program: a chance to reschedule. */
static void user_return_work(void)
{
	if (this_cpu()->need_resched)
		schedule();
}

void syscall_dispatch(struct trap_frame *tf);
void syscall_dispatch(struct trap_frame *tf)
{
	thread_current()->user_frame = tf;
	tf->rax = (uint64_t)syscall_invoke(tf->rax, (long)tf->rdi,
					   (long)tf->rsi, (long)tf->rdx,
					   (long)tf->r10, (long)tf->r8,
					   (long)tf->r9);
	user_return_work();
}

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11

static int signal_for(unsigned vector)
{
	switch (vector) {
	case VEC_DE:
	case 16: /* x87 error */
	case 19: /* SIMD error */
		return SIGFPE;
	case VEC_DB:
	case VEC_BP:
		return SIGTRAP;
	case VEC_UD:
		return SIGILL;
	case 17: /* alignment check */
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGILL:
		return "SIGILL, illegal instruction";
	case SIGTRAP:
		return "SIGTRAP, trace or breakpoint trap";
	case SIGBUS:
		return "SIGBUS, bus error";
	case SIGFPE:
		return "SIGFPE, arithmetic exception";
	case SIGKILL:
		return "SIGKILL, out of memory";
	default:
		return "SIGSEGV, segmentation fault";
	}
}

void trap_user_exception(struct trap_frame *tf);
void trap_user_exception(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();
	int sig = signal_for((unsigned)tf->vector);

	local_irq_enable();
	if (tf->vector == VEC_PF) {
		int ret = vm_fault(cr2, tf->error & 2, tf->error & 16);
		if (ret == 0) {
			user_return_work();
			return;
		}
		if (ret == -ENOMEM)
			sig = SIGKILL;
	}
	printk_console_start();
	console_printf(
		"\nprogram: thread %lu killed by %s (vector %lu, error 0x%lx)\n",
		thread_current()->id, signal_name(sig), tf->vector, tf->error);
	if (tf->vector == VEC_PF)
		console_printf("program: bad %s of address 0x%lx\n",
			       (tf->error & 16) ? "instruction fetch" :
			       (tf->error & 2)	? "write" :
						  "read",
			       cr2);
	console_printf(
		"program: rip 0x%lx rsp 0x%lx rax 0x%lx rdi 0x%lx rsi 0x%lx\n",
		tf->rip, tf->rsp, tf->rax, tf->rdi, tf->rsi);
	program_kill(sig);
}
