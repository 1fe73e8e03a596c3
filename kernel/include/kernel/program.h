/*
 * The one program the appliance runs: its threads, its exit. The program
 * is process 1 in the eyes of its C library; its first thread's id is the
 * process id. When it ends (exit_group, the last thread's exit, or a
 * fatal fault) the VM ends with its exit status.
 */
#ifndef KERNEL_PROGRAM_H
#define KERNEL_PROGRAM_H

#include <kernel/types.h>

/* Exit statuses for a program that cannot start (as shells use them). */
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

/*
 * Loads the static program at @path and starts its first thread with
 * @argv and @envp. Returns 0 once it runs, or a negative errno after
 * printing why it cannot start.
 */
int program_start(const char *path, const char *const argv[],
		  const char *const envp[]);
/* The program's process id. */
long program_pid(void);
/* exit_group(2): ends the program, and so the VM, with @status. */
__noreturn void program_exit(int status);
/* exit(2) of one thread; the last one to go ends the program. */
__noreturn void program_thread_exit(int status);
/* A fatal fault: the program ends as if killed by signal @signo. */
__noreturn void program_kill(int signo);

/* A thread is being added (clone). */
void program_thread_starting(void);
/* Clears and wakes @t's clear_child_tid word (pthread_join). */
struct thread;
void program_thread_cleanup(struct thread *t);

/* Enters ring 3 at @entry with stack @sp in the calling thread. */
__noreturn void user_enter(uintptr_t entry, uintptr_t sp);
/* Enters ring 3 with the registers of @tf and FS base @fs (clone). */
struct trap_frame;
__noreturn void user_resume(const struct trap_frame *tf, uint64_t fs);

#endif
