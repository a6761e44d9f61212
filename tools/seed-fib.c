// SPDX-License-Identifier: GPL-2.0
/*
 * seed-fib: Fibonacci by recursively spawning tasks that talk over
 * channels, against the same with processes and pipes (each process is
 * the program run again, its stdin and stdout piped to its parent).
 *
 *   seed-fib [dios|linux|both] [N]	default both, N = 15
 *
 * Every task computing fib(n), n >= 2, starts two tasks, sends n - 2 and
 * n - 1, and adds their answers: fib(15) takes 1973 tasks.  The result is
 * checked against an iterative computation; exit 0 if it is right.
 */
#include "seed.h"

static uint32_t fib_iter(uint32_t n)
{
	uint32_t a = 0, b = 1, t;

	while (n--) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

static uint32_t fib_dios(uint32_t n);

/* A task: receive n from the parent, answer fib(n). */
static int child_dios(void)
{
	struct seed_chan s;
	uint32_t n, r;
	int ret;

	ret = seed_parent(&s);
	if (!ret)
		ret = seed_recv(&s, &n, sizeof(n));
	if (ret < 0)
		seed_die("seed-fib child", ret);
	r = fib_dios(n);
	ret = seed_send(&s, &r, sizeof(r));
	if (ret)
		seed_die("seed-fib child send", ret);
	seed_close(&s);
	return 0;
}

static uint32_t fib_dios(uint32_t n)
{
	struct seed_chan s1, s2;
	uint32_t m, r1 = 0, r2 = 0;
	dios_ref_t t1, t2;
	int ret;

	if (n < 2)
		return n;
	ret = seed_spawn("dios-child", &t1, &s1);
	m = n - 2;
	if (!ret)
		ret = seed_send(&s1, &m, sizeof(m));
	if (!ret)
		ret = seed_spawn("dios-child", &t2, &s2);
	m = n - 1;
	if (!ret)
		ret = seed_send(&s2, &m, sizeof(m));
	if (!ret)
		ret = seed_recv(&s1, &r1, sizeof(r1));
	if (ret >= 0)
		ret = seed_recv(&s2, &r2, sizeof(r2));
	if (ret < 0)
		seed_die("seed-fib", ret);
	seed_close(&s1);
	seed_close(&s2);
	if (dios_task_wait(t1, NULL) || dios_task_wait(t2, NULL))
		seed_die("seed-fib wait", EIO);
	dios_delete(0, t1);
	dios_delete(0, t2);
	return r1 + r2;
}

static uint32_t fib_linux(uint32_t n);

static int child_linux(void)
{
	uint32_t n, r;

	if (seed_read(0, &n, sizeof(n)))
		seed_die("seed-fib child", EIO);
	r = fib_linux(n);
	return seed_write(1, &r, sizeof(r)) ? 1 : 0;
}

static uint32_t fib_linux(uint32_t n)
{
	struct seed_proc p1, p2;
	uint32_t m, r1, r2;

	if (n < 2)
		return n;
	if (seed_fork_exec("linux-child", &p1))
		seed_die("seed-fib fork", errno);
	m = n - 2;
	if (seed_write(p1.to, &m, sizeof(m)))
		seed_die("seed-fib write", EIO);
	if (seed_fork_exec("linux-child", &p2))
		seed_die("seed-fib fork", errno);
	m = n - 1;
	if (seed_write(p2.to, &m, sizeof(m)))
		seed_die("seed-fib write", EIO);
	if (seed_read(p1.from, &r1, sizeof(r1)) ||
	    seed_read(p2.from, &r2, sizeof(r2)))
		seed_die("seed-fib read", EIO);
	seed_proc_close(&p1);
	seed_proc_close(&p2);
	if (seed_reap(p1.pid) || seed_reap(p2.pid))
		seed_die("seed-fib wait", EIO);
	return r1 + r2;
}

static int run(const char *variant, uint32_t n)
{
	int is_dios = !strcmp(variant, "dios");
	uint64_t t0 = seed_now_ns();
	uint32_t r = is_dios ? fib_dios(n) : fib_linux(n);
	uint64_t ns = seed_now_ns() - t0;
	char result[64];

	snprintf(result, sizeof(result), "fib(%u) = %u", n, r);
	seed_report("fib", variant, result, r == fib_iter(n), ns);
	return r == fib_iter(n) ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "both";
	uint32_t n = argc > 2 ? (uint32_t)atoi(argv[2]) : 15;
	int ret = 0;

	if (!strcmp(what, "dios-child"))
		return child_dios();
	if (!strcmp(what, "linux-child"))
		return child_linux();
	if (n > 24) {
		fprintf(stderr, "seed-fib: N up to 24\n");
		return 2;
	}
	seed_pin();
	if (!strcmp(what, "dios") || !strcmp(what, "both"))
		ret |= run("dios", n);
	if (!strcmp(what, "linux") || !strcmp(what, "both"))
		ret |= run("linux", n);
	return ret;
}
