// SPDX-License-Identifier: GPL-2.0
/*
 * seed-primes: the MapReduce-style sum of the primes below 1,000: a
 * coordinator deals the numbers round robin to 12 mapper tasks, which send
 * back the primes and an end marker; the coordinator shuffles the primes round robin to 8
 * reducer tasks, which send back their sums.  Against the same with
 * processes and pipes.
 *
 *   seed-primes [dios|linux|both]	default both
 *
 * Exit 0 if the sum is right (76127).
 */
#include "seed.h"

#define NR_MAPS		12
#define NR_REDS		8
#define NR_DATA		1000
#define EOD		0xffffffffU

static int is_prime(uint32_t x)
{
	uint32_t i;

	if (x < 2)
		return 0;
	for (i = 2; i < x; i++)
		if (x % i == 0)
			return 0;
	return 1;
}

static uint32_t sum_primes_iter(void)
{
	uint32_t i, sum = 0;

	for (i = 0; i < NR_DATA; i++)
		if (is_prime(i))
			sum += i;
	return sum;
}

/*
 * A worker on either transport: @get and @put move one u32 to and from
 * the coordinator.
 */
struct link {
	struct seed_chan s;	/* dios */
	struct seed_proc p;	/* linux */
	dios_ref_t task;
	int is_dios;
};

static void put(struct link *l, uint32_t v)
{
	int ret = l->is_dios ? seed_send(&l->s, &v, sizeof(v)) :
			       seed_write(l->is_dios ? -1 : l->p.to, &v,
					  sizeof(v));

	if (ret)
		seed_die("seed-primes send", ret);
}

static uint32_t get(struct link *l)
{
	uint32_t v;
	int ret = l->is_dios ? seed_recv(&l->s, &v, sizeof(v)) :
			       seed_read(l->p.from, &v, sizeof(v));

	if (ret < 0)
		seed_die("seed-primes recv", ret);
	return v;
}

/* In a worker, the link to the coordinator: a channel, or stdin/stdout. */
static void worker_link(struct link *l, int is_dios)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->is_dios = is_dios;
	l->p.to = 1;
	l->p.from = 0;
	if (is_dios) {
		ret = seed_parent(&l->s);
		if (ret)
			seed_die("seed-primes worker", ret);
	}
}

static int mapper(int is_dios)
{
	struct link l;
	uint32_t x;

	worker_link(&l, is_dios);
	while ((x = get(&l)) != EOD)
		if (is_prime(x))
			put(&l, x);
	put(&l, EOD);
	if (is_dios)
		seed_close(&l.s);
	return 0;
}

static int reducer(int is_dios)
{
	uint32_t x, sum = 0;
	struct link l;

	worker_link(&l, is_dios);
	while ((x = get(&l)) != EOD)
		sum += x;
	put(&l, sum);
	if (is_dios)
		seed_close(&l.s);
	return 0;
}

static void start(struct link *l, int is_dios, const char *mode)
{
	char m[32];
	int ret;

	memset(l, 0, sizeof(*l));
	l->is_dios = is_dios;
	snprintf(m, sizeof(m), "%s-%s", is_dios ? "dios" : "linux", mode);
	ret = is_dios ? seed_spawn(m, &l->task, &l->s) :
			seed_fork_exec(m, &l->p);
	if (ret)
		seed_die("seed-primes start", ret);
}

static void finish(struct link *l)
{
	int st;

	if (l->is_dios) {
		seed_close(&l->s);
		st = dios_task_wait(l->task, NULL);
		dios_delete(0, l->task);
	} else {
		seed_proc_close(&l->p);
		st = seed_reap(l->p.pid);
	}
	if (st)
		seed_die("seed-primes worker exit", EIO);
}

static uint32_t coordinate(int is_dios)
{
	struct link maps[NR_MAPS], reds[NR_REDS];
	int live[NR_MAPS], nr_live = NR_MAPS;
	uint32_t i, x, sum = 0, shuffle = 0;
	int k;

	for (k = 0; k < NR_MAPS; k++) {
		start(&maps[k], is_dios, "map");
		live[k] = k;
	}
	for (k = 0; k < NR_REDS; k++)
		start(&reds[k], is_dios, "reduce");
	for (i = 0; i < NR_DATA; i++)
		put(&maps[i % NR_MAPS], i);
	for (k = 0; k < NR_MAPS; k++)
		put(&maps[k], EOD);
	/* Sweep the mappers in order, drop one at its end marker. */
	while (nr_live) {
		for (k = 0; k < nr_live; k++) {
			x = get(&maps[live[k]]);
			if (x == EOD) {
				finish(&maps[live[k]]);
				memmove(&live[k], &live[k + 1],
					(size_t)(nr_live - k - 1) * sizeof(int));
				nr_live--;
				break;
			}
			put(&reds[shuffle++ % NR_REDS], x);
		}
	}
	for (k = 0; k < NR_REDS; k++)
		put(&reds[k], EOD);
	for (k = 0; k < NR_REDS; k++) {
		sum += get(&reds[k]);
		finish(&reds[k]);
	}
	return sum;
}

static int run(const char *variant)
{
	int is_dios = !strcmp(variant, "dios");
	uint64_t t0 = seed_now_ns();
	uint32_t sum = coordinate(is_dios);
	uint64_t ns = seed_now_ns() - t0;
	char result[64];

	snprintf(result, sizeof(result), "sum of primes < %d = %u", NR_DATA,
		 sum);
	seed_report("primes", variant, result, sum == sum_primes_iter(), ns);
	return sum == sum_primes_iter() ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "both";
	int ret = 0;

	if (!strcmp(what, "dios-map"))
		return mapper(1);
	if (!strcmp(what, "dios-reduce"))
		return reducer(1);
	if (!strcmp(what, "linux-map"))
		return mapper(0);
	if (!strcmp(what, "linux-reduce"))
		return reducer(0);
	seed_pin();
	if (!strcmp(what, "dios") || !strcmp(what, "both"))
		ret |= run("dios");
	if (!strcmp(what, "linux") || !strcmp(what, "both"))
		ret |= run("linux");
	return ret;
}
