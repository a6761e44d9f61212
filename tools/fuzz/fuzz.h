/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dios-fuzz: a stateful random driver of the dios ABI (tools/dios-fuzz.c).
 *
 * Process tree (the supervisor never opens /dev/dios):
 *
 *   supervisor            forks the workers, respawns them, SIGKILLs some at
 *                         random, watches heartbeats, reads debugfs before
 *                         and after, prints the report
 *     worker (x N)        one context, a few fuzzing threads, an interrupter
 *                         thread, a userfaultfd thread where available
 *       fork child        checks -EBADFD on the inherited descriptor, opens
 *                         its own context, fuzzes for a while
 *       task              a fork child made a task with DIOS_IOC_RUN (raw),
 *                         possibly exec'd again, fuzzing in the context that
 *                         was prepared for it
 *       race threads      acquire vs delete vs zombify on one handle, or
 *                         a ring stream's reader, writer and waits vs the
 *                         deletion of its two handles or its zombify
 *       context thread    a thread that opens a context of its own
 *
 * Everything the processes share (counters, the name pool, heartbeats,
 * violations) lives in one memfd mapping, inherited across fork and passed
 * by descriptor across exec.
 *
 * What counts as a failure (exit status 1): a return value or errno that
 * docs/api.md and docs/io.md never allow for the call, a result the ABI
 * fixes that came out otherwise (framing errors, -EBADFD in a fork child,
 * -EBADF for a deleted handle, metadata that does not match a call that
 * succeeded, an acquire returning an address that is not mapped, a
 * batch's count above n, error not 0 exactly when all n were done, a
 * return value other than the count or entry 0's error, a ring stream
 * taking an acquire, a commit or copying I/O, a ring view not as ATTACH
 * describes it, a write into a ring's read view that does not fault), a
 * call that does not return within the watchdog, a process of ours killed
 * by a signal we did not send, and debugfs counts not back to their start.
 */
#ifndef DIOS_FUZZ_H
#define DIOS_FUZZ_H

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/dios.h>

#define FZ_PAGE		4096UL
#define FZ_MAX_WORKERS	8
#define FZ_MAX_SLOTS	128	/* interruptible thread slots per process */
#define FZ_NAMES	256	/* shared name pool */
#define FZ_WELL_KNOWN	8	/* given names everyone knows */
#define FZ_POOL		48	/* handles per thread */
#define FZ_STALE	32	/* deleted handles remembered per thread */
#define FZ_MAX_ERRNO	160
/* I/O only below this: the guest has 1 GiB and KASAN takes its share. */
#define FZ_IO_LIMIT	(4UL << 20)
#define FZ_XBUF		(64UL << 10)
#define FZ_BATCH	(DIOS_XFER_BATCH_MAX * sizeof(struct dios_xfer_req))

/*
 * What a call counter counts: every ioctl up to FZ_K_TASK_WAIT (the ones
 * with a command number and an errno set), then the other operations.
 */
enum fz_kind {
	FZ_K_VERSION, FZ_K_CREATE, FZ_K_LOOKUP, FZ_K_PUBLISH, FZ_K_DUP,
	FZ_K_COPY, FZ_K_DELETE, FZ_K_NAME, FZ_K_TASK_SELF,
	FZ_K_ACQUIRE_READ, FZ_K_COMMIT_READ, FZ_K_RELEASE_READ,
	FZ_K_ACQUIRE_WRITE, FZ_K_COMMIT_WRITE, FZ_K_RELEASE_WRITE,
	FZ_K_XFER, FZ_K_XFER_BATCH, FZ_K_RING,
	FZ_K_SELECT, FZ_K_INTEREST, FZ_K_INTEREST_WAIT,
	FZ_K_RUN, FZ_K_TASK_REFS, FZ_K_PAUSE, FZ_K_RESUME, FZ_K_TASK_WAIT,
	FZ_K_BADCMD,		/* unknown numbers, wrong type or direction */
	FZ_K_INHERITED,		/* any ioctl on a parent's descriptor */
	FZ_K_MMAP_META, FZ_K_MUNMAP, FZ_K_MPROTECT, FZ_K_MREMAP,
	FZ_K_MADVISE, FZ_K_MLOCK, FZ_K_OPEN, FZ_K_FORK, FZ_K_THREAD,
	FZ_K_RACE, FZ_K_KILL, FZ_K_TOUCH,
	FZ_K_COUNT
};

/* Counters, shared by every process of the run. */
struct fz_stats {
	uint64_t calls[FZ_K_COUNT];
	uint64_t err[FZ_K_COUNT][FZ_MAX_ERRNO + 1];	/* [0]: success */
	uint64_t other[FZ_K_COUNT];			/* errno > max */
	uint64_t faults;		/* SIGSEGV/SIGBUS caught on a touch */
	uint64_t uffd_stalls;
	uint64_t workers_started, workers_killed, children, tasks, threads;
	uint64_t torn_views;		/* fork children seeing a view */
	/* ring.c: leases recorded, scribbles, WAITs on a stale position,
	 * writes into a read view that faulted; io.c: batches stopped
	 * part-way (0 < count < n) */
	uint64_t ring_leases, ring_scribbles, ring_stale_waits;
	uint64_t ring_ro_faults, batch_partial;
};

#define FZ_VIOL_MAX	32
#define FZ_VIOL_LEN	480

/* The shared area: one per run. */
struct fz_shared {
	uint64_t seed;
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC */
	uint32_t faultinject;		/* allocation failures are expected */
	uint32_t given_names;		/* module parameter given_names=1 */
	uint32_t stop;
	int shm_fd;
	uint32_t watchdog_s;
	uint64_t max_size, max_capacity;
	uint32_t max_refs;
	uint64_t meta_map_size;
	uint32_t nviol;			/* all categories */
	uint32_t ncat[3];		/* per enum fz_vcat */
	char viol[FZ_VIOL_MAX][FZ_VIOL_LEN];
	uint32_t names_next;
	struct dios_name names[FZ_NAMES];
	struct dios_name well_known[FZ_WELL_KNOWN];
	struct dios_name root_task;	/* a task of root's, published */
	uint64_t heartbeat[FZ_MAX_WORKERS];
	struct fz_stats st;
};

extern struct fz_shared *fz_sh;

struct fz_vma;

/*
 * A ring stream's side as DIOS_RING_ATTACH gave it (ring.c): the view, its
 * file offset (what tells it from a mapping that took its place), the
 * caller's position word.  @view stays known after a detach: the side's
 * view stays mapped, only the lease and (reader) the word page go.
 */
struct fz_ring_side {
	uint64_t view, view_len, view_off;
	uint64_t own, own_off;		/* 0: no lease held */
	uint64_t ring_size;
};

/* One handle in a thread's pool. */
struct fz_ref {
	uint64_t h;
	uint32_t type;		/* 0: unknown (received); see meta */
	uint64_t rights;
	uint64_t size;
	bool self_task;		/* this process's own task: never killed */
	bool task_child;	/* a task we started: ours to kill */
	bool shared;		/* others may reach it: no strong checks */
	uint64_t rd_addr, rd_len;	/* the open buffers, 0 if none */
	uint64_t wr_addr, wr_len;
	bool ring;		/* created with DIOS_CREATE_RING */
	struct fz_ring_side rs[2];	/* [0] read, [1] write */
};

/* One fuzzing thread. */
struct fz_thread {
	uint64_t rng;
	int fd;				/* the context used */
	int parent_fd;			/* a parent's descriptor, or -1 */
	const struct dios_meta_header *meta;	/* check map of @fd */
	struct fz_ref refs[FZ_POOL];
	int nrefs;
	uint64_t stale[FZ_STALE];
	int nstale;
	pid_t kids[8];			/* fork children and tasks */
	int nkids;
	uint8_t *page_rw;		/* two pages: rw, then PROT_NONE */
	uint8_t *page_ro;		/* one read-only page */
	bool guard_ok, ro_ok;		/* their protections took */
	bool batch_guard;		/* the page after @batch is PROT_NONE */
	bool reframed;		/* fz_call framed the last request wrongly */
	uint8_t *xbuf;			/* XFER payloads */
	uint8_t *batch;			/* XFER_BATCH entries, a guard page after */
	uint32_t batch_n;		/* n of the batch in flight (fz_raw) */
	int slot;			/* interrupter slot, -1 if none */
	bool in_child;			/* a fork child or task: short-lived */
	uint64_t deadline_ns;
	uint64_t ncalls;
	int worker;
	void *helpers;			/* helper threads to join (procs.c) */
};

/* What a failed check is about: the three TAP lines of the report. */
enum fz_vcat { FZ_V_ABI, FZ_V_HANG, FZ_V_LEAK };

/* util.c: values, the shared area, signals, interrupter, userfaultfd */
uint64_t fz_now_ns(void);
uint64_t fz_rand(struct fz_thread *t);
uint64_t fz_below(struct fz_thread *t, uint64_t n);
bool fz_chance(struct fz_thread *t, unsigned int percent);
uint64_t fz_mix(uint64_t x);
void fz_report(enum fz_vcat cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define fz_violation(...) fz_report(FZ_V_ABI, __VA_ARGS__)
void fz_count(enum fz_kind k, long ret);
const char *fz_kind_name(enum fz_kind k);
bool fz_errno_allowed(enum fz_kind k, int err);
void fz_shared_init(uint64_t seed, int faultinject, int secs);
void fz_shared_attach(int fd);
uint64_t fz_bad_ptr(struct fz_thread *t, bool for_output);
bool fz_ptr_faults(struct fz_thread *t, uint64_t p);
uint64_t fz_boundary(struct fz_thread *t, uint64_t max);
bool fz_guard_touch(volatile uint8_t *p, bool write);
bool fz_guard_copy(void *dst, const void *src, size_t len);
void fz_fi(bool on);
void fz_fi_reset(void);
void fz_signals_init(void);
void fz_altstack(bool fresh);
int fz_slot_enter(bool interruptible);
void fz_slot_exit(int slot);
void fz_slot_call(int slot, int kind);
void fz_slot_done(int slot);
bool fz_interrupter_start(int worker);
void fz_uffd_init(void);
void *fz_uffd_page(struct fz_thread *t);
void fz_thread_init(struct fz_thread *t, uint64_t seed, int fd,
		    int worker);
void fz_thread_fini(struct fz_thread *t);
const struct dios_meta_header *fz_meta_map(int fd);
bool fz_meta_read(const struct dios_meta_header *h, uint64_t handle,
		  struct dios_ref_meta *out);
bool fz_addr_mapped(uint64_t addr, uint64_t len);
extern __thread int fz_cur_slot;

/* calls.c: framing and checks of every call, the pools, names */
unsigned long fz_cmd(unsigned int nr, size_t size);
long fz_raw(struct fz_thread *t, enum fz_kind k, unsigned long cmd,
	    void *arg);
long fz_call(struct fz_thread *t, enum fz_kind k, void *req, size_t size,
	     int expect, bool mutate);
void fz_pool_add(struct fz_thread *t, uint64_t h, uint32_t type,
		 uint64_t rights, uint64_t size);
void fz_pool_drop(struct fz_thread *t, int i, bool gone);
int fz_pool_find(struct fz_thread *t, uint64_t h);
struct fz_ref *fz_pick(struct fz_thread *t, uint32_t type);
struct fz_ref *fz_pick_out(struct fz_thread *t);
uint64_t fz_pick_handle(struct fz_thread *t);
uint64_t fz_pick_handle_out(struct fz_thread *t);
uint64_t fz_stale(struct fz_thread *t);
void fz_ref_fill(struct fz_thread *t, struct fz_ref *r);
bool fz_name_zero(const struct dios_name *n);
uint64_t fz_rights(struct fz_thread *t, uint64_t within);
uint64_t fz_size_for(struct fz_thread *t, uint64_t max);
void fz_check_meta(struct fz_thread *t, const char *what, uint64_t h,
		   uint32_t type, uint64_t rights, uint64_t size);
void fz_name_add(const struct dios_name *n);
void fz_name_pick(struct fz_thread *t, struct dios_name *n);

/* objects.c: objects, references, names, tasks, select; the dispatcher */
void fz_step(struct fz_thread *t);
void fz_do_create(struct fz_thread *t);
void fz_do_delete(struct fz_thread *t, int i, bool zombify);
void fz_zombify_all(struct fz_thread *t);

/* io.c: zero-copy I/O, forwarding, copying I/O */
void fz_io_step(struct fz_thread *t);
void fz_xfer(struct fz_thread *t);
void fz_xfer_batch(struct fz_thread *t);
bool fz_xfer_errno(int err);
enum fz_kind fz_io_kind_acquire(int dir);
enum fz_kind fz_io_kind_commit(int dir);
enum fz_kind fz_io_kind_release(int dir);

/* mm.c: address-space operations on views and metadata maps */
extern pthread_rwlock_t fz_mm_lock;
void fz_mm_init(void);
void fz_mm_rdlock(void);
void fz_mm_rdunlock(void);
void fz_mm_step(struct fz_thread *t);
void fz_mm_keep(const void *p, size_t len, bool add);
int fz_dios_vmas(struct fz_vma *v, int max);
int fz_dios_map_at(uint64_t addr, uint64_t *len, uint64_t *off);

/* ring.c: ring streams, their leases, waits and shared pages */
void fz_ring_step(struct fz_thread *t);
void fz_ring_plain_step(struct fz_thread *t, struct fz_ref *ref, int dir);
void fz_ring_race_role(struct fz_thread *t, const uint64_t *h, uint64_t cap,
		       int role, pthread_rwlock_t *lock);
uint64_t fz_ring_view_pick(struct fz_thread *t);

/* procs.c: workers, fork children, tasks, helper threads */
void fz_worker_main(int worker, uint64_t seed, int uid);
int fz_task_main(int argc, char **argv);
void fz_proc_step(struct fz_thread *t);
void fz_reap_kids(struct fz_thread *t, bool kill_all);
void fz_join_helpers(struct fz_thread *t, bool all);
void fz_child_run(struct fz_thread *t, uint64_t ms);

#endif /* DIOS_FUZZ_H */
