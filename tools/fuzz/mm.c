// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: the address-space operations on what the module maps (views
 * and metadata maps): mmap of the metadata with right and wrong
 * arguments, munmap, mprotect, mremap, madvise and mlock of whole and
 * partial mappings.  The mappings are found in /proc/self/maps (the file
 * /dev/dios; offsets from 1 << 44 are views, below the metadata); the
 * views of ring streams (control pages and the ring twice, and a reader's
 * word page) are chosen half of the time when the thread has some.
 *
 * Safety: an operation on a range found in the maps must not hit whatever
 * replaced that range meanwhile (the kernel unmaps a view when its
 * reference is deleted, and malloc may map the hole).  Every ioctl holds
 * fz_mm_lock for reading, these operations hold it for writing: while one
 * runs, no view goes away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

pthread_rwlock_t fz_mm_lock = PTHREAD_RWLOCK_INITIALIZER;
static __thread int fz_mm_depth;

/*
 * Writers first (an mm operation waits for the ioctls in flight, new ones
 * wait for it), so the read side is never taken twice by one thread: a
 * nested read lock would wait behind a waiting writer.
 */
void fz_mm_init(void)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a,
		PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&fz_mm_lock, &a);
	pthread_rwlockattr_destroy(&a);
	fz_mm_depth = 0;
}

void fz_mm_rdlock(void)
{
	if (!fz_mm_depth++)
		pthread_rwlock_rdlock(&fz_mm_lock);
}

void fz_mm_rdunlock(void)
{
	if (!--fz_mm_depth)
		pthread_rwlock_unlock(&fz_mm_lock);
}

struct fz_vma {
	uint64_t start, end, offset;
	int prot;		/* as the maps say now */
	bool view;
	bool maywrite;		/* VM_MAYWRITE: "mw" in VmFlags */
};

#define FZ_VMAS		64
#define FZ_KEEP		16
#define FZ_VICTIMS	4

/* Check maps: never operated on (their threads read them). */
static struct { uint64_t start, end; } fz_keep[FZ_KEEP];
static pthread_mutex_t fz_keep_lock = PTHREAD_MUTEX_INITIALIZER;

void fz_mm_keep(const void *p, size_t len, bool add)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	int i;

	pthread_mutex_lock(&fz_keep_lock);
	for (i = 0; i < FZ_KEEP; i++) {
		if (add && !fz_keep[i].start) {
			fz_keep[i].start = a;
			fz_keep[i].end = a + len;
			break;
		}
		if (!add && fz_keep[i].start == a) {
			fz_keep[i].start = fz_keep[i].end = 0;
			break;
		}
	}
	pthread_mutex_unlock(&fz_keep_lock);
}

static bool fz_kept(uint64_t start, uint64_t end)
{
	bool kept = false;
	int i;

	pthread_mutex_lock(&fz_keep_lock);
	for (i = 0; i < FZ_KEEP; i++)
		if (fz_keep[i].start && start < fz_keep[i].end &&
		    fz_keep[i].start < end)
			kept = true;
	pthread_mutex_unlock(&fz_keep_lock);
	return kept;
}

/*
 * The /dev/dios mappings of this process, the check maps left out, from
 * /proc/self/smaps: its VmFlags tell whether a mapping may ever become
 * writable (a read view or the metadata must not).
 */
int fz_dios_vmas(struct fz_vma *v, int max)
{
	char line[512], path[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool ours = false;
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e, off;
		char perms[8];

		path[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &s, &e,
			   perms, &off, path) >= 4) {
			ours = n < max && !strcmp(path, "/dev/dios") &&
			       !fz_kept(s, e);
			if (!ours)
				continue;
			v[n].start = s;
			v[n].end = e;
			v[n].offset = off;
			v[n].prot = (perms[0] == 'r' ? PROT_READ : 0) |
				    (perms[1] == 'w' ? PROT_WRITE : 0) |
				    (perms[2] == 'x' ? PROT_EXEC : 0);
			/* Views live at 1 << 32 pages and up; a metadata
			 * map cut at its start has a small offset. */
			v[n].view = off >= 1ULL << 44;
			v[n].maywrite = false;
			continue;
		}
		if (ours && !strncmp(line, "VmFlags:", 8)) {
			v[n].maywrite = strstr(line, " mw") != NULL;
			if (!v[n].view && v[n].maywrite)
				fz_violation("the metadata map [%#llx, %#llx) may become writable (VM_MAYWRITE)",
					     (unsigned long long)v[n].start,
					     (unsigned long long)v[n].end);
			n++;
			ours = false;
		}
	}
	fclose(f);
	return n;
}

/*
 * The /dev/dios mapping that starts at @addr: its protection (PROT_*),
 * length and file offset, or -1 if none starts there.  The caller holds
 * fz_mm_lock (no mm operation of ours runs meanwhile); the offset tells a
 * view from one that took its place (no two live views share one).
 */
int fz_dios_map_at(uint64_t addr, uint64_t *len, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], path[256], perms[8];
	unsigned long long s, e, o;
	int prot = -1;

	while (f && fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &s, &e,
			   perms, &o, path) < 4 || s != addr)
			continue;
		if (!strcmp(path, "/dev/dios")) {
			prot = (perms[0] == 'r' ? PROT_READ : 0) |
			       (perms[1] == 'w' ? PROT_WRITE : 0) |
			       (perms[2] == 'x' ? PROT_EXEC : 0);
			*len = e - s;
			*off = o;
		}
		break;
	}
	if (f)
		fclose(f);
	return prot;
}

static long fz_sys(long r)
{
	return r < 0 ? -errno : r;
}

static void fz_mm_expect(enum fz_kind k, long ret, int want, const char *what,
			 const struct fz_vma *v)
{
	fz_count(k, ret);
	/* Under fault injection any of these may fail for want of memory. */
	if (ret == -ENOMEM && fz_sh->faultinject)
		return;
	if (ret != -want)
		fz_violation("%s of %s [%#llx, %#llx): %ld, expected %s%s",
			     fz_kind_name(k), v && v->view ? "a view" : "the metadata map",
			     v ? (unsigned long long)v->start : 0ULL,
			     v ? (unsigned long long)v->end : 0ULL, ret,
			     want ? "-" : "0", want ? strerror(want) : "");
	(void)what;
}

/*
 * The metadata map, right or wrong on purpose.  At most FZ_VICTIMS maps
 * beside the check maps: beyond, one of them goes first.
 */
static void fz_mmap_meta(struct fz_thread *t)
{
	uint64_t max = fz_sh->meta_map_size, len = FZ_PAGE * (1 + fz_below(t, 8));
	int prot = PROT_READ, flags = MAP_SHARED, want = 0, n, i, metas = 0;
	struct fz_vma v[FZ_VMAS];
	off_t off = 0;
	void *p;
	long ret;

	n = fz_dios_vmas(v, FZ_VMAS);
	for (i = 0; i < n; i++)
		if (!v[i].view && ++metas >= FZ_VICTIMS)
			munmap((void *)(uintptr_t)v[i].start,
			       v[i].end - v[i].start);
	if (fz_chance(t, 20))
		len = max;
	switch (fz_below(t, 10)) {
	case 0: prot |= PROT_WRITE; want = EPERM; break;
	case 1: flags = MAP_PRIVATE; want = EINVAL; break;
	case 2: len = max + FZ_PAGE; want = EINVAL; break;
	case 3: off = (off_t)FZ_PAGE * (1 + fz_below(t, 64)); want = EINVAL; break;
	case 4: off = (off_t)1 << 44; want = EINVAL; break;
	}
	p = mmap(NULL, len, prot, flags, t->fd, off);
	ret = fz_sys(p == MAP_FAILED ? -1 : 0);
	fz_mm_expect(FZ_K_MMAP_META, ret, want, "mmap", NULL);
	/* Read it: the header page is always there. */
	if (!ret)
		fz_guard_touch(p, false);
}

static const int fz_advice[] = {
	MADV_DONTNEED, MADV_DOFORK, MADV_DONTFORK, MADV_POPULATE_READ,
	MADV_POPULATE_WRITE, MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT,
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DODUMP,
	MADV_DONTDUMP, MADV_FREE, MADV_REMOVE, MADV_WIPEONFORK,
	MADV_KEEPONFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_MERGEABLE,
	MADV_DOFORK, MADV_DONTNEED,
};

/* A page-aligned sub-range of @v of at most 1 MiB (populating is real). */
static void fz_subrange(struct fz_thread *t, const struct fz_vma *v,
			uint64_t *start, uint64_t *len)
{
	uint64_t pages = (v->end - v->start) / FZ_PAGE, first, n;

	first = fz_below(t, pages);
	n = 1 + fz_below(t, pages - first);
	if (n > 256)
		n = 256;
	*start = v->start + first * FZ_PAGE;
	*len = n * FZ_PAGE;
}

/* After an operation that should have failed: what the maps say now. */
static void fz_mm_describe(const struct fz_vma *v, uint64_t at)
{
	struct fz_vma now[FZ_VMAS];
	int n = fz_dios_vmas(now, FZ_VMAS), i;

	for (i = 0; i < n; i++)
		if (now[i].start < v->end && v->start < now[i].end)
			fz_violation("  (split at %#llx) now [%#llx, %#llx) offset %#llx prot %d maywrite %d",
				     (unsigned long long)at,
				     (unsigned long long)now[i].start,
				     (unsigned long long)now[i].end,
				     (unsigned long long)now[i].offset,
				     now[i].prot, now[i].maywrite);
}

static void fz_mm_vma_op(struct fz_thread *t, struct fz_vma *v)
{
	uint64_t len = v->end - v->start, s, l;
	int prot, want;
	long ret;
	void *p;

	(void)prot;

	switch (fz_below(t, 10)) {
	case 0:
		ret = fz_sys(munmap((void *)(uintptr_t)v->start, len));
		fz_mm_expect(FZ_K_MUNMAP, ret, 0, "munmap", v);
		break;
	case 1:
		/* A view cannot be split. */
		if (!v->view || len <= FZ_PAGE)
			break;
		s = v->start + FZ_PAGE * fz_below(t, len / FZ_PAGE);
		l = FZ_PAGE * (1 + fz_below(t, (v->end - s) / FZ_PAGE));
		if (s == v->start && l == len)
			l -= FZ_PAGE;
		ret = fz_sys(munmap((void *)(uintptr_t)s, l));
		fz_mm_expect(FZ_K_MUNMAP, ret, EINVAL, "partial munmap", v);
		break;
	case 2:
		/* The metadata and read views can never become writable. */
		prot = PROT_READ | PROT_WRITE;
		ret = fz_sys(mprotect((void *)(uintptr_t)v->start, len, prot));
		want = v->maywrite ? 0 : EACCES;
		fz_mm_expect(FZ_K_MPROTECT, ret, want, "mprotect", v);
		break;
	case 3:
		if (!v->view || len <= FZ_PAGE)
			break;
		/* A protection change on part of a view would split it. */
		s = v->start + FZ_PAGE * (1 + fz_below(t, len / FZ_PAGE - 1));
		ret = fz_sys(mprotect((void *)(uintptr_t)s, v->end - s,
				      v->prot & PROT_READ ? PROT_NONE :
				      PROT_READ));
		fz_mm_expect(FZ_K_MPROTECT, ret, EINVAL, "partial mprotect", v);
		if (!ret)
			fz_mm_describe(v, s);
		break;
	case 4:
		ret = fz_sys(mprotect((void *)(uintptr_t)v->start, len,
				      fz_chance(t, 50) ? PROT_NONE :
				      PROT_READ | PROT_EXEC));
		fz_count(FZ_K_MPROTECT, ret);
		break;
	case 5:
		/* Views are neither moved nor resized. */
		if (!v->view)
			break;
		/* The same size is a no-op: always 0, nothing moves. */
		l = len + FZ_PAGE;
		if (len > FZ_PAGE && fz_chance(t, 50))
			l = len - FZ_PAGE;
		p = mremap((void *)(uintptr_t)v->start, len, l, MREMAP_MAYMOVE);
		ret = fz_sys(p == MAP_FAILED ? -1 : 0);
		fz_count(FZ_K_MREMAP, ret);
		if (!ret)
			fz_violation("mremap of a view [%#llx, %#llx) to %llu bytes succeeded (at %p)",
				     (unsigned long long)v->start,
				     (unsigned long long)v->end,
				     (unsigned long long)l, p);
		break;
	case 6:
		fz_subrange(t, v, &s, &l);
		ret = fz_sys(mlock((void *)(uintptr_t)s, l));
		fz_count(FZ_K_MLOCK, ret);
		if (!ret)
			munlock((void *)(uintptr_t)s, l);
		break;
	default:
		fz_subrange(t, v, &s, &l);
		ret = fz_sys(madvise((void *)(uintptr_t)s, l,
				     fz_advice[fz_below(t, sizeof(fz_advice) /
							   sizeof(fz_advice[0]))]));
		fz_count(FZ_K_MADVISE, ret);
		break;
	}
}

void fz_mm_step(struct fz_thread *t)
{
	static int off = -1;

	if (off < 0)
		off = getenv("FUZZ_NO_MM") != NULL;
	if (off)
		return;
	struct fz_vma v[FZ_VMAS];
	int n, j, i;
	uint64_t ring;

	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 400000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	/* Blocking calls in flight end within ~300 ms (the interrupter). */
	if (pthread_rwlock_timedwrlock(&fz_mm_lock, &until))
		return;
	if (fz_chance(t, 25)) {
		fz_fi(true);
		fz_mmap_meta(t);
		fz_fi(false);
	} else {
		n = fz_dios_vmas(v, FZ_VMAS);
		i = n ? (int)fz_below(t, n) : 0;
		/* A ring's view or word page of ours, half of the time. */
		ring = fz_chance(t, 50) ? fz_ring_view_pick(t) : 0;
		for (j = 0; ring && j < n; j++)
			if (v[j].start == ring)
				i = j;
		fz_fi(true);
		if (n)
			fz_mm_vma_op(t, &v[i]);
		fz_fi(false);
	}
	pthread_rwlock_unlock(&fz_mm_lock);
}
