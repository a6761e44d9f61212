// SPDX-License-Identifier: GPL-2.0
/*
 * dios-fuzz: the shared area and its counters, the errno sets the docs
 * allow, random values, bad pointers, guarded memory touches, the
 * interrupter that ends blocking calls (and catches calls that never
 * return) and the userfaultfd pages that stall the kernel's user copies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "fuzz.h"

struct fz_shared *fz_sh;

uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t fz_mix(uint64_t x)
{
	/* splitmix64's finaliser */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t fz_rand(struct fz_thread *t)
{
	t->rng += 0x9e3779b97f4a7c15ULL;
	return fz_mix(t->rng);
}

uint64_t fz_below(struct fz_thread *t, uint64_t n)
{
	return n ? fz_rand(t) % n : 0;
}

bool fz_chance(struct fz_thread *t, unsigned int percent)
{
	return fz_below(t, 100) < percent;
}

/* Record a failed check; the run will exit non-zero. */
void fz_report(enum fz_vcat cat, const char *fmt, ...)
{
	uint32_t i = __atomic_fetch_add(&fz_sh->nviol, 1, __ATOMIC_RELAXED);
	char buf[FZ_VIOL_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&fz_sh->ncat[cat], 1, __ATOMIC_RELAXED);
	fprintf(stderr, "dios-fuzz: VIOLATION (pid %d): %s\n", getpid(), buf);
	if (i < FZ_VIOL_MAX)
		memcpy(fz_sh->viol[i], buf, sizeof(buf));
}

static const char *const fz_kind_names[FZ_K_COUNT] = {
	"version", "create", "lookup", "publish", "dup", "copy", "delete",
	"name", "task_self", "acquire_read", "commit_read", "release_read",
	"acquire_write", "commit_write", "release_write", "xfer",
	"xfer_batch", "ring", "select",
	"interest", "interest_wait", "run", "task_refs", "pause", "resume",
	"task_wait", "bad_cmd", "inherited_fd", "mmap_meta", "munmap",
	"mprotect", "mremap", "madvise", "mlock", "open", "fork", "thread",
	"race", "kill", "touch",
};

const char *fz_kind_name(enum fz_kind k)
{
	return k < FZ_K_COUNT ? fz_kind_names[k] : "?";
}

void fz_count(enum fz_kind k, long ret)
{
	struct fz_stats *st = &fz_sh->st;
	long e = ret < 0 ? -ret : 0;

	__atomic_fetch_add(&st->calls[k], 1, __ATOMIC_RELAXED);
	if (e <= FZ_MAX_ERRNO)
		__atomic_fetch_add(&st->err[k][e], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&st->other[k], 1, __ATOMIC_RELAXED);
}

/*
 * The errors docs/api.md and docs/io.md list for each call, besides the
 * framing errors every command may return (ENOTTY, EINVAL, E2BIG, EFAULT,
 * EBADFD) and ENOMEM, which any allocation may give.  EPERM for create
 * and task control comes with the given-name and kill(2) permission rules
 * of issue 11.  Blocking calls may see EINTR: the interrupter sends
 * signals without SA_RESTART.
 */
static const int fz_errs_xfer[] = {
	EBADF, EACCES, EOPNOTSUPP, EBUSY, EMSGSIZE, EAGAIN, EPIPE, EIDRM,
	EINTR, 0 };
static const int fz_errs_io[] = {
	EBADF, EACCES, EIDRM, EOPNOTSUPP, EBUSY, EMSGSIZE, EAGAIN, EPIPE,
	EINTR, ESTALE, EMFILE, EPERM, 0 };
static const int *const fz_allowed[FZ_K_COUNT] = {
	[FZ_K_VERSION] = (const int[]){ 0 },
	[FZ_K_CREATE] = (const int[]){ EBADF, EFBIG, EEXIST, EACCES, EIDRM,
				      EMFILE, EDQUOT, EPERM, 0 },
	[FZ_K_LOOKUP] = (const int[]){ EBADF, ENOENT, EACCES, EIDRM,
				      EMFILE, 0 },
	[FZ_K_PUBLISH] = (const int[]){ EBADF, EACCES, EALREADY, EPERM,
				       EIDRM, 0 },
	[FZ_K_DUP] = (const int[]){ EBADF, EACCES, EPERM, EIDRM, EMFILE, 0 },
	[FZ_K_COPY] = (const int[]){ EBADF, EACCES, EPERM, ESRCH, EMFILE,
				    EIDRM, 0 },
	[FZ_K_DELETE] = (const int[]){ EBADF, EACCES, EPERM, 0 },
	[FZ_K_NAME] = (const int[]){ EBADF, EACCES, ENODATA, EIDRM, 0 },
	[FZ_K_TASK_SELF] = (const int[]){ EMFILE, 0 },
	[FZ_K_ACQUIRE_READ] = fz_errs_io,
	[FZ_K_COMMIT_READ] = fz_errs_io,
	[FZ_K_RELEASE_READ] = fz_errs_io,
	[FZ_K_ACQUIRE_WRITE] = fz_errs_io,
	[FZ_K_COMMIT_WRITE] = fz_errs_io,
	[FZ_K_RELEASE_WRITE] = fz_errs_io,
	[FZ_K_XFER] = fz_errs_xfer,
	/* An entry's errors, as DIOS_IOC_XFER gives them (docs/io.md). */
	[FZ_K_XFER_BATCH] = fz_errs_xfer,
	/*
	 * docs/ring.md, uapi/linux/dios.h: -EOPNOTSUPP on a plain stream,
	 * -EAGAIN for a lease held elsewhere (DIOS_NONBLOCK), -EBUSY for one
	 * held by the same reference, -EPIPE and -EIDRM from a wait.
	 */
	[FZ_K_RING] = (const int[]){ EBADF, EACCES, EOPNOTSUPP, EAGAIN, EBUSY,
				    EPIPE, EIDRM, EINTR, ENOSPC, EBADMSG,
				    EMSGSIZE, EPERM, EMFILE, 0 },
	[FZ_K_SELECT] = (const int[]){ EBADF, EACCES, ETIMEDOUT, EINTR, 0 },
	[FZ_K_INTEREST] = (const int[]){ EBADF, EEXIST, ENOENT, EACCES, 0 },
	[FZ_K_INTEREST_WAIT] = (const int[]){ ETIMEDOUT, EINTR, 0 },
	[FZ_K_RUN] = (const int[]){ EBADF, EACCES, EPERM, EIDRM, ESRCH,
				   ECHILD, EBUSY, EMFILE, EDQUOT, EFBIG, 0 },
	[FZ_K_TASK_REFS] = (const int[]){ ENOSPC, 0 },
	[FZ_K_PAUSE] = (const int[]){ EBADF, EACCES, ESRCH, EIDRM, EPERM, 0 },
	[FZ_K_RESUME] = (const int[]){ EBADF, EACCES, ESRCH, EIDRM, EPERM, 0 },
	[FZ_K_TASK_WAIT] = (const int[]){ EBADF, EACCES, EINTR, EIDRM,
					 EAGAIN, ECHILD, 0 },
};

/* What an entry of a batch (or DIOS_IOC_XFER) may fail with. */
bool fz_xfer_errno(int err)
{
	return fz_errno_allowed(FZ_K_XFER, err);
}

bool fz_errno_allowed(enum fz_kind k, int err)
{
	const int *p;

	if (k > FZ_K_TASK_WAIT)
		return true;	/* the others are checked where they are made */
	switch (err) {
	case ENOTTY: case EINVAL: case E2BIG: case EFAULT: case EBADFD:
	case ENOMEM:
		return true;
	}
	for (p = fz_allowed[k]; *p; p++)
		if (*p == err)
			return true;
	return false;
}

/* ---- the shared area ---------------------------------------------------- */

/* Whether any user may give names in the global group (Y), else root. */
static uint32_t fz_given_names(void)
{
	FILE *f = fopen("/sys/module/dios/parameters/given_names", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y' || c == '1';
}

void fz_shared_init(uint64_t seed, int faultinject, int secs)
{
	struct fz_thread tmp = { .rng = seed ^ 0x5eed };
	int fd = memfd_create("dios-fuzz", 0);
	unsigned int i, j;

	if (fd < 0 || ftruncate(fd, sizeof(*fz_sh)) < 0) {
		perror("dios-fuzz: memfd");
		exit(2);
	}
	fz_shared_attach(fd);
	fz_sh->seed = seed;
	fz_sh->faultinject = faultinject;
	fz_sh->shm_fd = fd;
	fz_sh->deadline_ns = fz_now_ns() + (uint64_t)secs * 1000000000ULL;
	fz_sh->given_names = fz_given_names();
	for (i = 0; i < FZ_WELL_KNOWN; i++) {
		for (j = 0; j < sizeof(fz_sh->well_known[i].raw); j++)
			fz_sh->well_known[i].raw[j] = (uint8_t)fz_rand(&tmp);
		fz_sh->well_known[i].raw[0] |= 1;
	}
}

void fz_shared_attach(int fd)
{
	void *p = mmap(NULL, sizeof(*fz_sh), PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("dios-fuzz: mmap shared");
		exit(2);
	}
	fz_sh = p;
}

/* ---- fault injection ---------------------------------------------------- */

/*
 * With -F, allocation failures are injected into the dios calls of this
 * thread only: /proc/thread-self/make-it-fail is 1 for the duration of each
 * call (failslab and fail_page_alloc are task-filtered), 0 around it.  Our
 * own memory (stacks, signal frames, mmap of our pages) never fails, so a
 * process of ours that dies still says something about dios.
 */
static __thread int fz_fi_fd = -1;

void fz_fi_reset(void)
{
	fz_fi_fd = -1;
}

void fz_fi(bool on)
{
	if (!fz_sh->faultinject)
		return;
	if (fz_fi_fd < 0) {
		if (!on)
			return;
		fz_fi_fd = open("/proc/thread-self/make-it-fail",
				O_WRONLY | O_CLOEXEC);
		if (fz_fi_fd < 0)
			return;
	}
	if (pwrite(fz_fi_fd, on ? "1" : "0", 1, 0) != 1)
		perror("dios-fuzz: make-it-fail");
}

/* ---- values ------------------------------------------------------------- */

/* 0, 1, page +-1, max, max + 1, huge, or something small. */
uint64_t fz_boundary(struct fz_thread *t, uint64_t max)
{
	switch (fz_below(t, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return FZ_PAGE - 1;
	case 3: return FZ_PAGE;
	case 4: return FZ_PAGE + 1;
	case 5: return max;
	case 6: return max + 1;
	case 7: return fz_chance(t, 50) ? UINT64_MAX : 1ULL << 62;
	case 8: return 1 + fz_below(t, 64);
	default: return 1 + fz_below(t, 4 * FZ_PAGE);
	}
}

/*
 * Never mapped: below mmap_min_addr.  (A page unmapped once gets reused:
 * a receive into it with a long length once wrote zeros over whatever
 * lay above, this tool's own shared area included.)
 */
#define FZ_HOLE		0x2000ULL

/*
 * A pointer the kernel must refuse with -EFAULT: NULL, unmapped, a
 * PROT_NONE page, kernel or non-canonical addresses, and for outputs a
 * read-only page.  A userfaultfd page is valid, only slow.
 */
uint64_t fz_bad_ptr(struct fz_thread *t, bool for_output)
{
	switch (fz_below(t, for_output ? 8 : 7)) {
	case 0: return 0;
	case 1: return FZ_HOLE + fz_below(t, 8) * FZ_PAGE;
	case 2: return (uint64_t)(uintptr_t)(t->page_rw + FZ_PAGE);
	case 3: return 0xffff888000000000ULL + fz_below(t, 1 << 20) * 8;
	case 4: return 0xffffffff81000000ULL;
	case 5: return 0x8000000000000000ULL;
	case 6: return (uint64_t)(uintptr_t)t->page_rw + FZ_PAGE - 8;
	default: return (uint64_t)(uintptr_t)t->page_ro;
	}
}

/* Whether a struct of more than 8 bytes at @p faults for sure. */
bool fz_ptr_faults(struct fz_thread *t, uint64_t p)
{
	if (p == (uint64_t)(uintptr_t)t->page_ro)
		return false;
	if (p >= (uint64_t)(uintptr_t)t->page_rw &&
	    p < (uint64_t)(uintptr_t)t->page_rw + 2 * FZ_PAGE)
		return t->guard_ok;
	return true;
}

/* ---- guarded touches ---------------------------------------------------- */

static __thread sigjmp_buf fz_guard_env;
static __thread volatile int fz_guard_on;

static void fz_on_fault(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	char msg[160];
	int n;

	if (fz_guard_on) {
		fz_guard_on = 0;
		siglongjmp(fz_guard_env, 1);
	}
	/* Not ours to catch: say where, die of it; the supervisor reports. */
	n = snprintf(msg, sizeof(msg),
		     "dios-fuzz: pid %d: unguarded signal %d at %p, ip %#llx\n",
		     getpid(), sig, si->si_addr,
		     (unsigned long long)u->uc_mcontext.gregs[REG_RIP]);
	if (write(2, msg, (size_t)n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
}

/*
 * Copy @len bytes from @src to @dst, then add @add to the byte at @dst,
 * with a fault caught: false if one came.  Byte by byte: a fault leaves
 * nothing half-copied that matters.
 */
static bool fz_guarded(volatile uint8_t *dst, const volatile uint8_t *src,
		       size_t len, uint8_t add)
{
	volatile bool ok = true;
	size_t i;

	/* The fault of a view runs dios's handler: fail it too. */
	fz_fi(true);
	if (sigsetjmp(fz_guard_env, 1) == 0) {
		fz_guard_on = 1;
		for (i = 0; i < len; i++)
			dst[i] = src[i];
		if (add)
			*dst = (uint8_t)(*dst + add);
		fz_guard_on = 0;
	} else {
		ok = false;
		__atomic_fetch_add(&fz_sh->st.faults, 1, __ATOMIC_RELAXED);
	}
	fz_fi(false);
	fz_count(FZ_K_TOUCH, ok ? 0 : -EFAULT);
	return ok;
}

/*
 * Read (or write) a byte of a buffer the module gave us.  A fault is not a
 * violation by itself: a zombie's pages, a revoked view, a blob page
 * outside the open transaction all give SIGBUS by design.
 */
bool fz_guard_touch(volatile uint8_t *p, bool write)
{
	uint8_t b;

	return write ? fz_guarded(p, p, 0, 1) : fz_guarded(&b, p, 1, 0);
}

/*
 * Copy between our memory and a mapping the module made (a ring's shared
 * pages), either way; false if it faulted.
 */
bool fz_guard_copy(void *dst, const void *src, size_t len)
{
	return fz_guarded(dst, src, len, 0);
}

static void fz_on_interrupt(int sig)
{
	(void)sig;
}

void fz_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fz_on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/*
	 * No SA_RESTART: a blocking call returns -EINTR.  On the thread's
	 * alternate stack, which is populated: the frame is written while
	 * the call that was interrupted still has allocation failures
	 * injected (-F), and a frame that cannot be written is a SIGSEGV.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_ONSTACK;
	sa.sa_handler = fz_on_interrupt;
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the interrupter and the watchdog ----------------------------------- */

/*
 * Every fuzzing thread of the process has a slot.  While it is in a call,
 * the slot says which and since when.  The interrupter thread sends
 * SIGUSR2 to an interruptible thread whose call has blocked for a while
 * (the call returns -EINTR), and reports any call that has not returned
 * after the watchdog, with the kernel stack of its thread.
 */
struct fz_slot {
	int used;
	int interruptible;
	pid_t tid;
	int kind;
	uint64_t start_ns;
	uint64_t patience_ns;
	int reported;
};

static struct fz_slot fz_slots[FZ_MAX_SLOTS];
static pthread_mutex_t fz_slots_lock = PTHREAD_MUTEX_INITIALIZER;
__thread int fz_cur_slot = -1;

/*
 * The thread's alternate signal stack: populated, and not copied by fork
 * (copy-on-write would make the next frame allocate a page, which -F may
 * fail).  A fork child makes its own (@fresh).
 */
static __thread void *altstack;

void fz_altstack(bool fresh)
{
	stack_t ss;

	if (altstack && !fresh)
		return;
	altstack = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (altstack == MAP_FAILED) {
		altstack = NULL;
		return;
	}
	memset(altstack, 0, 65536);
	madvise(altstack, 65536, MADV_DONTFORK);
	ss.ss_sp = altstack;
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
}

int fz_slot_enter(bool interruptible)
{
	int i;

	fz_altstack(false);
	pthread_mutex_lock(&fz_slots_lock);
	for (i = 0; i < FZ_MAX_SLOTS; i++)
		if (!fz_slots[i].used) {
			memset(&fz_slots[i], 0, sizeof(fz_slots[i]));
			fz_slots[i].used = 1;
			fz_slots[i].interruptible = interruptible;
			fz_slots[i].tid = gettid();
			break;
		}
	pthread_mutex_unlock(&fz_slots_lock);
	if (i == FZ_MAX_SLOTS)
		return -1;
	fz_cur_slot = i;
	return i;
}

void fz_slot_exit(int slot)
{
	stack_t ss = { .ss_flags = SS_DISABLE };

	if (altstack) {
		sigaltstack(&ss, NULL);
		munmap(altstack, 65536);
		altstack = NULL;
	}
	if (slot < 0)
		return;
	pthread_mutex_lock(&fz_slots_lock);
	fz_slots[slot].used = 0;
	pthread_mutex_unlock(&fz_slots_lock);
	fz_cur_slot = -1;
}

void fz_slot_call(int slot, int kind)
{
	struct fz_slot *s;

	if (slot < 0)
		return;
	s = &fz_slots[slot];
	s->kind = kind;
	/* Blocking calls end after 20 to 300 ms, as a program's timers would. */
	s->patience_ns = (20 + (uint64_t)(fz_now_ns() / 1000 % 281)) * 1000000;
	__atomic_store_n(&s->start_ns, fz_now_ns(), __ATOMIC_RELEASE);
}

void fz_slot_done(int slot)
{
	if (slot >= 0)
		__atomic_store_n(&fz_slots[slot].start_ns, 0, __ATOMIC_RELEASE);
}

/* What the kernel says a stuck thread is doing. */
static void fz_read_stack(pid_t tid, char *out, size_t len)
{
	char path[64];
	size_t n = 0;
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	f = fopen(path, "r");
	if (f) {
		n = fread(out, 1, len / 4, f);
		fclose(f);
		out[n] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	f = fopen(path, "r");
	if (f) {
		size_t m;

		if (n + 2 < len) {
			out[n++] = ';';
			out[n++] = ' ';
		}
		m = fread(out + n, 1, len - n - 1, f);
		fclose(f);
		out[n + m] = '\0';
		for (char *c = out; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
}

static int fz_interrupter_worker = -1;

static void *fz_interrupter(void *arg)
{
	uint64_t wd = (uint64_t)fz_sh->watchdog_s * 1000000000ULL;
	char stack[300];
	int i;

	(void)arg;
	for (;;) {
		uint64_t now = fz_now_ns();

		for (i = 0; i < FZ_MAX_SLOTS; i++) {
			struct fz_slot *s = &fz_slots[i];
			uint64_t start = __atomic_load_n(&s->start_ns,
							  __ATOMIC_ACQUIRE);

			if (!s->used || !start || now < start)
				continue;
			if (s->interruptible && now - start > s->patience_ns)
				syscall(SYS_tgkill, getpid(), s->tid, SIGUSR2);
			if (now - start > wd && !s->reported) {
				s->reported = 1;
				fz_read_stack(s->tid, stack, sizeof(stack));
				fz_report(FZ_V_HANG, "%s in thread %d has not returned after %u s (worker %d): %s",
					     fz_kind_name(s->kind), s->tid,
					     fz_sh->watchdog_s,
					     fz_interrupter_worker, stack);
			}
		}
		usleep(20000);
	}
	return NULL;
}

/* Once per process (a fork child starts its own: threads do not fork). */
bool fz_interrupter_start(int worker)
{
	pthread_t th;
	int i;

	memset(fz_slots, 0, sizeof(fz_slots));
	pthread_mutex_init(&fz_slots_lock, NULL);
	fz_interrupter_worker = worker;
	for (i = 0; i < 20; i++) {
		if (pthread_create(&th, NULL, fz_interrupter, NULL) == 0) {
			pthread_detach(th);
			return true;
		}
		usleep(10000);
	}
	return false;
}

/* ---- userfaultfd -------------------------------------------------------- */

#define FZ_UFFD_PAGES	FZ_MAX_SLOTS

static int fz_uffd = -1;
static uint8_t *fz_uffd_area;

/*
 * Resolve each fault after up to 300 ms: long enough for another thread to
 * zombify or delete what the stalled call works on, short enough never to
 * trip the watchdog.
 */
static void *fz_uffd_thread(void *arg)
{
	struct fz_thread t = { .rng = (uint64_t)(uintptr_t)arg };
	struct pollfd pfd = { .fd = fz_uffd, .events = POLLIN };
	struct uffd_msg msg;

	for (;;) {
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		if (read(fz_uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		__atomic_fetch_add(&fz_sh->st.uffd_stalls, 1, __ATOMIC_RELAXED);
		usleep(1000 + fz_below(&t, 300000));
		struct uffdio_zeropage zp = {
			.range = {
				.start = msg.arg.pagefault.address & ~(FZ_PAGE - 1),
				.len = FZ_PAGE,
			},
		};
		ioctl(fz_uffd, UFFDIO_ZEROPAGE, &zp);
	}
	return NULL;
}

/* Where the kernel has userfaultfd (the stock guest; not the debug one). */
void fz_uffd_init(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	pthread_t th;

	if (getenv("FUZZ_NO_UFFD"))
		return;
	fz_uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fz_uffd < 0)
		return;
	fz_uffd_area = mmap(NULL, FZ_UFFD_PAGES * FZ_PAGE,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uint64_t)(uintptr_t)fz_uffd_area;
	reg.range.len = FZ_UFFD_PAGES * FZ_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (fz_uffd_area == MAP_FAILED ||
	    ioctl(fz_uffd, UFFDIO_API, &api) ||
	    ioctl(fz_uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&th, NULL, fz_uffd_thread,
			   (void *)(uintptr_t)fz_now_ns())) {
		close(fz_uffd);
		fz_uffd = -1;
		return;
	}
	pthread_detach(th);
}

/* A page whose first touch stalls; NULL without userfaultfd. */
void *fz_uffd_page(struct fz_thread *t)
{
	uint8_t *p;

	if (fz_uffd < 0)
		return NULL;
	/* The thread's own page: another thread re-arming it would zap a
	 * reply this one has not read yet. */
	if (fz_cur_slot < 0)
		return NULL;
	(void)t;
	p = fz_uffd_area + (size_t)fz_cur_slot * FZ_PAGE;
	madvise(p, FZ_PAGE, MADV_DONTNEED);
	return p;
}

/* ---- threads and the metadata map --------------------------------------- */

void fz_thread_init(struct fz_thread *t, uint64_t seed, int fd, int worker)
{
	memset(t, 0, sizeof(*t));
	t->rng = seed;
	t->fd = fd;
	t->parent_fd = -1;
	t->worker = worker;
	t->slot = -1;
	t->deadline_ns = fz_sh->deadline_ns;
	t->page_rw = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->page_ro = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->xbuf = mmap(NULL, FZ_XBUF, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->batch = mmap(NULL, FZ_BATCH + FZ_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->page_rw == MAP_FAILED || t->page_ro == MAP_FAILED ||
	    t->xbuf == MAP_FAILED || t->batch == MAP_FAILED) {
		perror("dios-fuzz: mmap");
		exit(2);
	}
	/* Either may fail under fault injection: no strong checks then. */
	t->guard_ok = !mprotect(t->page_rw + FZ_PAGE, FZ_PAGE, PROT_NONE);
	t->batch_guard = !mprotect(t->batch + FZ_BATCH, FZ_PAGE, PROT_NONE);
	memset(t->page_ro, 0, FZ_PAGE);
	t->ro_ok = !mprotect(t->page_ro, FZ_PAGE, PROT_READ);
	t->meta = fz_meta_map(fd);
}

void fz_thread_fini(struct fz_thread *t)
{
	munmap(t->page_rw, 2 * FZ_PAGE);
	munmap(t->page_ro, FZ_PAGE);
	munmap(t->xbuf, FZ_XBUF);
	munmap(t->batch, FZ_BATCH + FZ_PAGE);
	if (t->meta) {
		fz_mm_rdlock();
		fz_mm_keep(t->meta, fz_sh->meta_map_size, false);
		munmap((void *)t->meta, fz_sh->meta_map_size);
		fz_mm_rdunlock();
	}
}

/* The check map of a context: never touched by the mm operations. */
const struct dios_meta_header *fz_meta_map(int fd)
{
	void *p;

	if (fd < 0)
		return NULL;
	/* Kept before any mm operation can see it in the maps. */
	fz_mm_rdlock();
	p = mmap(NULL, fz_sh->meta_map_size, PROT_READ, MAP_SHARED, fd,
		 DIOS_MMAP_META);
	if (p != MAP_FAILED)
		fz_mm_keep(p, fz_sh->meta_map_size, true);
	fz_mm_rdunlock();
	return p == MAP_FAILED ? NULL : p;
}

/*
 * The metadata entry of @handle, read seqcount style as uapi/linux/dios.h
 * says; false if the slot does not hold that handle.
 */
bool fz_meta_read(const struct dios_meta_header *h, uint64_t handle,
		  struct dios_ref_meta *out)
{
	uint32_t index = (uint32_t)handle - 1, gen = handle >> 32, seq;
	const struct dios_ref_meta *m;

	if (!h || !gen || !(uint32_t)handle ||
	    index >= __atomic_load_n(&h->nr_slots, __ATOMIC_ACQUIRE))
		return false;
	m = (const void *)((const char *)h + h->entries_offset +
			   (size_t)index * h->entry_size);
	do {
		seq = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);
		memcpy(out, (const void *)m, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&m->seq, __ATOMIC_RELAXED));
	return out->gen == gen && out->info.state;
}

/* Whether [addr, addr + len) is mapped in this process. */
bool fz_addr_mapped(uint64_t addr, uint64_t len)
{
	uint64_t start = addr & ~(FZ_PAGE - 1);
	uint64_t end = (addr + len + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	static __thread unsigned char vec[256];

	while (start < end) {
		uint64_t n = (end - start) / FZ_PAGE;

		if (n > sizeof(vec))
			n = sizeof(vec);
		if (mincore((void *)(uintptr_t)start, n * FZ_PAGE, vec) &&
		    errno == ENOMEM)
			return false;
		start += n * FZ_PAGE;
	}
	return true;
}
