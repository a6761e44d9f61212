// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * dios_ref_info(): reference metadata read from the context's read-only
 * metadata map, without a system call.
 *
 * The kernel rewrites an entry between two increments of its seq (odd
 * while writing).  A reader copies the entry and keeps the copy only if seq
 * was even before and unchanged after, the reader side of a seqcount.
 */
#include <sched.h>
#include <stddef.h>

#include "internal.h"

/* Copy 32-bit words one by one: the entry may change under us. */
static void meta_copy(void *dst, const void *src, size_t len)
{
	const volatile uint32_t *s = src;
	uint32_t *d = dst;
	size_t i;

	for (i = 0; i < len / sizeof(uint32_t); i++)
		d[i] = s[i];
}

static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static void meta_read(const struct dios_ref_meta *m, struct dios_ref_meta *copy)
{
	unsigned int spins = 0;
	uint32_t seq;

	for (;;) {
		seq = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);
		if (!(seq & 1)) {
			meta_copy(copy, m, sizeof(*copy));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&m->seq, __ATOMIC_RELAXED) == seq)
				return;
		}
		/* A writer was preempted mid-update: let it finish. */
		if (++spins % 1024 == 0)
			sched_yield();
		else
			cpu_relax();
	}
}

int dios_ref_info(dios_ref_t ref, struct dios_ref_info *info)
{
	const struct dios_meta_header *h;
	struct dios_ref_meta copy;
	uint32_t idx_plus1 = (uint32_t)ref;
	uint32_t gen = (uint32_t)(ref >> 32);
	uint64_t offset;
	uint32_t nr_slots, entry_size, entries_offset;

	if (!info)
		return -EINVAL;
	if (!idx_plus1 || !gen)
		return -EBADF;
	h = __dios_ctx_meta();
	if (!h)
		return -EBADF;	/* no context here: no valid handle either */

	nr_slots = __atomic_load_n(&h->nr_slots, __ATOMIC_ACQUIRE);
	entry_size = h->entry_size;
	entries_offset = h->entries_offset;
	if (idx_plus1 - 1 >= nr_slots)
		return -EBADF;
	offset = entries_offset + (uint64_t)(idx_plus1 - 1) * entry_size;
	if (offset + sizeof(copy) > __dios_ctx_meta_size())
		return -EBADF;

	meta_read((const void *)((const char *)h + offset), &copy);
	if (copy.gen != gen || copy.info.state == 0)
		return -EBADF;
	*info = copy.info;
	return 0;
}
