// SPDX-License-Identifier: GPL-2.0
/*
 * seed-pingpong: the five-client ping-pong.  Five client tasks each ping-pong
 * 4,800 messages of 200 bytes and then 4,800 of 5 bytes with an external
 * task, the server, which echoes every message.  The server either waits
 * for any client before each read (select: dios's persistent interest set,
 * or select(2) on the pipes) or reads the clients in turn without waiting
 * first.  Against the same with processes and pipes.
 *
 *   seed-pingpong [dios|linux|both] [select|noselect|both] [ROUNDS]
 *
 * Every client checks every echo; exit 0 if all did.
 */
#include "seed.h"

#include <sys/select.h>

#define NR_CLIENTS	5
#define BIG		200
#define SMALL		5

static uint32_t rounds = 4800;

/* Message @i of a client: its size and a pattern the echo must match. */
static uint64_t msg_len(uint32_t i)
{
	return i < rounds ? BIG : SMALL;
}

static void msg_fill(uint8_t *buf, uint32_t i, uint64_t len)
{
	uint64_t k;

	for (k = 0; k < len; k++)
		buf[k] = (uint8_t)(i * 31 + k);
}

static int client(int is_dios)
{
	uint8_t out[BIG], in[BIG];
	struct seed_chan s;
	uint32_t i;
	uint64_t len;
	int ret;

	if (is_dios) {
		ret = seed_parent(&s);
		if (ret)
			seed_die("seed-pingpong client", ret);
	}
	for (i = 0; i < 2 * rounds; i++) {
		len = msg_len(i);
		msg_fill(out, i, len);
		if (is_dios) {
			/* Send the ping and wait for the pong: one call. */
			ret = seed_call(&s, out, len, in, sizeof(in));
			if (ret >= 0)
				ret = ret == (int)len ? 0 : -EPROTO;
		} else {
			ret = seed_write(1, out, len);
			if (!ret)
				ret = seed_read(0, in, len);
		}
		if (ret)
			seed_die("seed-pingpong client io", ret);
		if (memcmp(in, out, len))
			return 1;
	}
	if (is_dios)
		seed_close(&s);
	return 0;
}

struct peer {
	struct seed_chan s;
	struct seed_proc p;
	dios_ref_t task;
	uint32_t served;
};

/* Echo client @k's next message. */
static void serve(struct peer *c, int is_dios)
{
	uint64_t len = msg_len(c->served);
	uint8_t buf[BIG];
	int ret;

	if (is_dios) {
		ret = seed_recv(&c->s, buf, sizeof(buf));
		if (ret >= 0)
			ret = seed_send(&c->s, buf, (uint64_t)ret);
	} else {
		ret = seed_read(c->p.from, buf, len);
		if (!ret)
			ret = seed_write(c->p.to, buf, len);
	}
	if (ret)
		seed_die("seed-pingpong server", ret);
	c->served++;
}

/*
 * Without select, dios: each echo goes out with the receive of the next
 * client's message in the same call (the clients take turns).
 */
static void serve_in_turn_dios(struct peer *c, uint32_t want)
{
	uint8_t buf[BIG];
	uint32_t i;
	int k, n, ret;

	n = seed_recv(&c[0].s, buf, sizeof(buf));
	for (i = 0; i < want && n >= 0; i++) {
		k = (int)(i % NR_CLIENTS);
		c[k].served++;
		if (i + 1 == want) {
			ret = seed_send(&c[k].s, buf, (uint64_t)n);
			n = ret ? ret : 0;
			break;
		}
		n = dios_call(0, c[k].s.c.tx, buf, (uint64_t)n,
			      c[(k + 1) % NR_CLIENTS].s.c.rx, buf, sizeof(buf),
			      NULL);
	}
	if (n < 0)
		seed_die("seed-pingpong server", n);
}

/* The next client with a message, after @last in turn: select(2). */
static int wait_linux(struct peer *c, int last)
{
	int k, i, maxfd = 0, ret;
	fd_set rd;

	FD_ZERO(&rd);
	for (k = 0; k < NR_CLIENTS; k++) {
		if (c[k].served == 2 * rounds)
			continue;
		FD_SET(c[k].p.from, &rd);
		if (c[k].p.from > maxfd)
			maxfd = c[k].p.from;
	}
	do {
		ret = select(maxfd + 1, &rd, NULL, NULL, NULL);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0)
		seed_die("seed-pingpong select", errno);
	for (i = 1; i <= NR_CLIENTS; i++) {
		k = (last + i) % NR_CLIENTS;
		if (c[k].served < 2 * rounds && FD_ISSET(c[k].p.from, &rd))
			return k;
	}
	seed_die("seed-pingpong select", EPROTO);
}

/* The same with the interest set: one ready entry, its cookie the index. */
static int wait_dios(void)
{
	struct dios_interest_event ev;
	int ret;

	do {
		ret = dios_interest_wait(0, &ev, 1, -1);
	} while (ret == -EINTR);
	if (ret < 0)
		seed_die("seed-pingpong interest wait", ret);
	return (int)ev.cookie;
}

static int run(const char *variant, int use_select)
{
	int is_dios = !strcmp(variant, "dios");
	struct peer c[NR_CLIENTS];
	uint32_t total = 0, want = NR_CLIENTS * 2 * rounds;
	int k, ret, ok = 1, last = NR_CLIENTS - 1;
	char name[32], result[64];
	uint64_t t0;

	memset(c, 0, sizeof(c));
	t0 = seed_now_ns();
	for (k = 0; k < NR_CLIENTS; k++) {
		ret = is_dios ? seed_spawn("dios-client", &c[k].task,
					   &c[k].s) :
				seed_fork_exec("linux-client", &c[k].p);
		if (ret)
			seed_die("seed-pingpong start", ret);
		if (is_dios && use_select) {
			ret = dios_interest_add(c[k].s.c.rx, DIOS_EV_READ,
						(uint64_t)k);
			if (ret)
				seed_die("seed-pingpong interest", ret);
		}
	}
	if (use_select) {
		while (total < want) {
			k = is_dios ? wait_dios() : wait_linux(c, last);
			serve(&c[k], is_dios);
			if (is_dios && c[k].served == 2 * rounds)
				dios_interest_del(c[k].s.c.rx);
			last = k;
			total++;
		}
	} else if (is_dios) {
		serve_in_turn_dios(c, want);
		total = want;
	} else {
		while (total < want)
			for (k = 0; k < NR_CLIENTS; k++, total++)
				serve(&c[k], is_dios);
	}
	for (k = 0; k < NR_CLIENTS; k++) {
		if (is_dios) {
			seed_close(&c[k].s);
			ok &= dios_task_wait(c[k].task, &ret) == 0 && ret == 0;
			dios_delete(0, c[k].task);
		} else {
			seed_proc_close(&c[k].p);
			ok &= seed_reap(c[k].p.pid) == 0;
		}
	}
	snprintf(name, sizeof(name), "%s/%s", variant,
		 use_select ? "select" : "noselect");
	snprintf(result, sizeof(result), "%u messages echoed", total);
	seed_report("pingpong", name, result, ok && total == want,
		    seed_now_ns() - t0);
	return ok && total == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "both";
	const char *sel = argc > 2 ? argv[2] : "both";
	int ret = 0, v, s;

	if (argc > 3)
		rounds = (uint32_t)atoi(argv[3]);
	if (!strcmp(what, "dios-client") || !strcmp(what, "linux-client")) {
		if (getenv("SEED_ROUNDS"))
			rounds = (uint32_t)atoi(getenv("SEED_ROUNDS"));
		return client(!strcmp(what, "dios-client"));
	}
	if (!rounds) {
		fprintf(stderr, "seed-pingpong: ROUNDS must be positive\n");
		return 2;
	}
	seed_pin();
	/* The clients learn the rounds from the environment. */
	{
		char r[16];

		snprintf(r, sizeof(r), "%u", rounds);
		setenv("SEED_ROUNDS", r, 1);
	}
	for (v = 0; v < 2; v++) {
		const char *variant = v ? "linux" : "dios";

		if (strcmp(what, "both") && strcmp(what, variant))
			continue;
		for (s = 1; s >= 0; s--) {
			if (strcmp(sel, "both") &&
			    strcmp(sel, s ? "select" : "noselect"))
				continue;
			ret |= run(variant, s);
		}
	}
	return ret;
}
