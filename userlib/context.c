// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The process's DIOS context: /dev/dios opened lazily, the version reply
 * and the read-only metadata map.
 *
 * A context belongs to the process that opened it; the module refuses any
 * other process (-EBADFD).  A fork child must therefore never use the
 * inherited descriptor.  Three mechanisms see to it:
 *  - a pthread_atfork() child handler closes the inherited descriptor and
 *    forgets the map (the module does not copy it into children);
 *  - once the metadata map is mapped, the state is guarded by a word in a
 *    MADV_WIPEONFORK page, which reads zero in a child created by a raw
 *    clone()/fork() that ran no atfork handler, so even dios_ref_info()
 *    (no system call) notices;
 *  - an ioctl failing with -EBADFD from a process other than the opener
 *    resets the state and is retried once in a fresh context.
 *
 * The guard page comes with the map, not with the open: most tasks started
 * by dios_run never read the map, and a process's first call then costs
 * the open and the version ioctl alone.  Without a map a raw clone child
 * is caught by the third mechanism.
 *
 * Readers take no lock: the fd is published last with release semantics
 * after everything it guards.  Opening and resetting hold ctx_lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(sizeof(struct dios_create_args) == 64, "create_args layout");
_Static_assert(sizeof(struct dios_ref_info) == 48, "ref_info layout");
_Static_assert(sizeof(struct dios_meta_header) == 16, "meta header layout");
_Static_assert(sizeof(struct dios_ref_meta) == 64, "ref_meta layout");
_Static_assert(sizeof(struct dios_version_req) == 88, "version_req layout");
_Static_assert(sizeof(struct dios_create_req) == 120, "create_req layout");
_Static_assert(sizeof(struct dios_lookup_req) == 56, "lookup_req layout");
_Static_assert(sizeof(struct dios_publish_req) == 64, "publish_req layout");
_Static_assert(sizeof(struct dios_dup_req) == 32, "dup_req layout");
_Static_assert(sizeof(struct dios_copy_req) == 48, "copy_req layout");
_Static_assert(sizeof(struct dios_delete_req) == 16, "delete_req layout");
_Static_assert(sizeof(struct dios_name_req) == 48, "name_req layout");
_Static_assert(sizeof(struct dios_task_self_req) == 16, "task_self layout");
_Static_assert(sizeof(struct dios_io_req) == 80, "io_req layout");
_Static_assert(__builtin_offsetof(struct dios_io_req, done) ==
	       DIOS_IO_REQ_SIZE_VER0, "io_req layout");
_Static_assert(__builtin_offsetof(struct dios_io_req, n_refs) == 48,
	       "io_req.n_refs offset");
_Static_assert(__builtin_offsetof(struct dios_io_req, src_ref) == 56,
	       "io_req.src_ref offset");
_Static_assert(sizeof(struct dios_xfer_req) == 64, "xfer_req layout");
_Static_assert(sizeof(struct dios_xfer_batch_req) == 32, "xfer_batch layout");
_Static_assert(__builtin_offsetof(struct dios_xfer_req, done) == 56,
	       "xfer_req.done offset");
_Static_assert(__builtin_offsetof(struct dios_ref_info, rights) == 8,
	       "ref_info.rights offset");
_Static_assert(__builtin_offsetof(struct dios_create_req, args) == 56,
	       "create_req.args offset");
_Static_assert(__builtin_offsetof(struct dios_version_req, max_objects) == 24,
	       "version_req.max_objects offset");

static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;

static int ctx_fd = -1;				/* published last */
static const struct dios_meta_header *ctx_meta;	/* NULL: no map */
static uint64_t ctx_meta_size;
static struct dios_version_req ctx_version;
static pid_t ctx_pid;
static dev_t ctx_rdev;
static ino_t ctx_ino;

/* NULL, or non-zero while the state above belongs to this process. */
static volatile uint32_t *ctx_guard;
static uint32_t ctx_guard_fallback;

static inline int ctx_valid(void)
{
	volatile uint32_t *g = __atomic_load_n(&ctx_guard, __ATOMIC_ACQUIRE);

	return !g || *g;
}

static void ctx_forget(void)
{
	__atomic_store_n(&ctx_fd, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&ctx_meta, NULL, __ATOMIC_RELEASE);
	ctx_meta_size = 0;
	ctx_pid = 0;
	if (ctx_guard)
		*ctx_guard = 0;
	__dios_ring_forget();
}

/*
 * The state was copied from another process without the atfork handler:
 * close the inherited descriptor if it is still the one we opened (the
 * number may have been reused), and forget the map, which the module did
 * not copy.
 */
static void ctx_drop_inherited_locked(void)
{
	struct stat st;
	int fd = ctx_fd;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == ctx_rdev && st.st_ino == ctx_ino)
		close(fd);
	ctx_forget();
}

/* Set in the parent at fork: the state is the parent's own context. */
static int ctx_fork_owned;

static void ctx_atfork_prepare(void)
{
	pthread_mutex_lock(&ctx_lock);
	ctx_fork_owned = ctx_fd >= 0 && ctx_valid();
}

static void ctx_atfork_parent(void)
{
	pthread_mutex_unlock(&ctx_lock);
}

static void ctx_atfork_child(void)
{
	int saved = errno;

	/* A copy of the parent's state; the guard page is already wiped. */
	if (ctx_fork_owned) {
		/*
		 * Nothing has run in the child yet, so the range cannot hold
		 * anything else: drop the map in case it was copied.
		 */
		if (ctx_meta)
			munmap((void *)ctx_meta, ctx_meta_size);
		close(ctx_fd);
		ctx_forget();
	} else if (ctx_fd >= 0) {
		ctx_drop_inherited_locked();
	}
	errno = saved;
	pthread_mutex_unlock(&ctx_lock);
}

/*
 * On the first use, not at load: a program that links libdios but never
 * calls it (the Linux side of a benchmark) keeps fork() free of handlers.
 */
static void ctx_init_once(void)
{
	pthread_atfork(ctx_atfork_prepare, ctx_atfork_parent,
		       ctx_atfork_child);
}

/* Make the guard page, once, and mark the open state this process's. */
static void ctx_guard_locked(void)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile uint32_t *g = ctx_guard;
	void *p;

	if (!g) {
		p = mmap(NULL, page > 0 ? (size_t)page : 4096,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED) {
			g = &ctx_guard_fallback;
		} else {
#ifdef MADV_WIPEONFORK
			madvise(p, page > 0 ? (size_t)page : 4096,
				MADV_WIPEONFORK);
#endif
			g = p;
		}
	}
	*g = 1;
	/* Set before the map it guards is published. */
	__atomic_store_n(&ctx_guard, g, __ATOMIC_RELEASE);
}

/*
 * Map the reference metadata of the open context; 0, or -errno.  Done on
 * the first dios_ref_info(), not at open: a task that never asks (a short
 * one started by dios_run) saves the mapping and its fault.
 */
static int ctx_map_meta_locked(void)
{
	const struct dios_meta_header *h;
	uint64_t size = ctx_version.meta_map_size;
	void *map;

	if (size < sizeof(*h) || size > (uint64_t)SIZE_MAX)
		return -ENOMEM;
	ctx_guard_locked();
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, ctx_fd,
		   DIOS_MMAP_META);
	if (map == MAP_FAILED)
		return -errno;
	h = map;
	if (h->magic != DIOS_META_MAGIC ||
	    h->entry_size < sizeof(struct dios_ref_meta)) {
		munmap(map, (size_t)size);
		return -EPROTO;
	}
	ctx_meta_size = size;
	__atomic_store_n(&ctx_meta, map, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Why /dev/dios did not open, as a dios error: no node (ENOENT), or a node
 * without a driver behind it (ENODEV from the misc layer when the module
 * is neither loaded nor loadable, ENXIO for a stale node) all mean the
 * module is not loaded: -ENODEV, which no call returns otherwise, and not
 * -ENOENT, which means "no such name".  -EACCES stays: the device's access
 * policy refused this user.
 */
static int ctx_open_error(int err)
{
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return -ENODEV;
	return -err;
}

static int ctx_open_locked(void)
{
	struct dios_version_req v;
	struct stat st;
	int fd, ret;

	fd = open("/dev/dios", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ctx_open_error(errno);
	memset(&v, 0, sizeof(v));
	ret = __sys_dios_ioctl(fd, DIOS_IOC_VERSION, &v);
	if (ret < 0)
		goto err_close;
	ret = -EPROTO;
	if (v.abi_major != DIOS_ABI_MAJOR)
		goto err_close;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto err_close;
	}

	ctx_version = v;
	ctx_meta_size = 0;
	ctx_pid = getpid();
	ctx_rdev = st.st_rdev;
	ctx_ino = st.st_ino;
	if (ctx_guard)
		*ctx_guard = 1;
	__atomic_store_n(&ctx_fd, fd, __ATOMIC_RELEASE);
	return fd;

err_close:
	close(fd);
	return ret;
}

int __dios_ctx_fd(void)
{
	int fd = __atomic_load_n(&ctx_fd, __ATOMIC_ACQUIRE);
	int saved;

	if (fd >= 0 && ctx_valid())
		return fd;

	saved = errno;
	pthread_once(&ctx_once, ctx_init_once);
	pthread_mutex_lock(&ctx_lock);
	fd = ctx_fd;
	if (fd >= 0 && !ctx_valid())
		ctx_drop_inherited_locked();
	fd = ctx_fd;
	if (fd < 0)
		fd = ctx_open_locked();
	pthread_mutex_unlock(&ctx_lock);
	errno = saved;
	return fd;
}

int __dios_ctx_stale(int fd)
{
	int saved = errno;
	int stale = 0;

	pthread_mutex_lock(&ctx_lock);
	if (ctx_fd == fd && ctx_pid != getpid()) {
		ctx_drop_inherited_locked();
		stale = 1;
	}
	pthread_mutex_unlock(&ctx_lock);
	errno = saved;
	return stale;
}

const struct dios_meta_header *__dios_ctx_meta(void)
{
	const struct dios_meta_header *meta;
	int saved;

	meta = __atomic_load_n(&ctx_meta, __ATOMIC_ACQUIRE);
	if (meta && ctx_valid())
		return meta;
	/* Map it now if this process has a context and the module a map. */
	saved = errno;
	meta = NULL;
	pthread_mutex_lock(&ctx_lock);
	if (ctx_fd >= 0 && ctx_valid() && ctx_pid == getpid() &&
	    (ctx_version.features & DIOS_FEAT_META_MAP) &&
	    (ctx_meta || !ctx_map_meta_locked()))
		meta = ctx_meta;
	pthread_mutex_unlock(&ctx_lock);
	errno = saved;
	return meta;
}

uint64_t __dios_ctx_meta_size(void)
{
	return ctx_meta_size;
}

void __dios_ctx_version(struct dios_version_req *v)
{
	*v = ctx_version;
}

int dios_context_fd(void)
{
	return __dios_ctx_fd();
}

int dios_version(struct dios_version_req *v)
{
	int fd;

	if (!v)
		return -EFAULT;
	fd = __dios_ctx_fd();
	if (fd < 0)
		return fd;
	__dios_ctx_version(v);
	return 0;
}
