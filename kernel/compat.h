/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every difference between the kernel versions the module
 * builds on (6.1 to 7.x), in the manner of WireGuard's compat layer: the
 * other files are written against the current kernel API and read like
 * upstream code; what an older kernel lacks, or a newer one removed, is
 * supplied here under the upstream name.  This is the only file with a
 * LINUX_VERSION_CODE test.
 *
 * Also here: 64-bit arithmetic that must build on 32-bit kernels, which
 * have no libgcc (__udivdi3, __umoddi3, __aeabi_uldivmod).
 */

#ifndef _DIOS_COMPAT_H
#define _DIOS_COMPAT_H

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/version.h>

/*
 * The kernel built against is @major.@minor or newer.  checkpatch warns on
 * every LINUX_VERSION_CODE, rightly for code merged upstream; scripts/lint.sh
 * excuses that one warning in this file only, whose reason to exist it is.
 */
#define DIOS_KERNEL_SINCE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/*
 * 6.3 made vma->vm_flags read-only (vma_start_write() must come first
 * where per-vma locks exist); before it the field was written directly.
 */
#if !DIOS_KERNEL_SINCE(6, 3)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * 6.9 removed thread_group_exited(), pidfd_poll() its last user testing
 * the same inline.  The macro keeps a kernel that still declares it (the
 * declaration is read above, under the real name) from clashing.
 */
#if DIOS_KERNEL_SINCE(6, 9)
#define thread_group_exited dios_thread_group_exited
/* True once every thread of @pid's group has passed exit_notify(). */
static inline bool dios_thread_group_exited(struct pid *pid)
{
	struct task_struct *task;
	bool exited;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_PID);
	exited = !task ||
		 (READ_ONCE(task->exit_state) && thread_group_empty(task));
	rcu_read_unlock();
	return exited;
}
#endif

/**
 * dios_mod_u64() - @dividend % @divisor, both 64-bit
 * @dividend:	the dividend
 * @divisor:	the divisor, not 0
 *
 * div64_u64_rem() is the plain % where longs are 64-bit (the same code, on
 * the I/O path), and divides by 32 bits when the divisor fits on 32-bit
 * kernels.
 *
 * Return: the remainder.
 */
static inline u64 dios_mod_u64(u64 dividend, u64 divisor)
{
	u64 rem;

	div64_u64_rem(dividend, divisor, &rem);
	return rem;
}

/**
 * dios_user_ptr() - the user pointer in a __u64 field of a request
 * @ptr:	the field
 *
 * u64_to_user_ptr() keeps the low half only on a 32-bit kernel, so a field
 * with bits above 31 set would reach an address its caller did not name.
 * Such a field becomes the last byte of the address space, which no user
 * access passes: -EFAULT, as on a 64-bit kernel, where that address is
 * outside every task.  On 64-bit kernels this is u64_to_user_ptr().
 *
 * Return: the pointer to hand to copy_from_user() and its kind.
 */
static inline void __user *dios_user_ptr(u64 ptr)
{
	if (ptr != (unsigned long)ptr)
		return (void __user *)ULONG_MAX;
	return u64_to_user_ptr(ptr);
}

#endif /* _DIOS_COMPAT_H */
