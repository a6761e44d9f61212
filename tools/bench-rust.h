/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-rust.h - the rows of dios-bench for the Rust crate's seed programs
 * (rust/examples/seed_*.rs, staged in the VM as /demo/rust-seed-*, next to
 * dios-bench, by scripts/rust.sh): Fibonacci over spawned tasks and the sum
 * of primes with 12 mappers and 8 reducers, each on the dios crate (tasks
 * and typed channels) against the same on Rust's std (std::process::Command
 * and pipes); and the creation of named and anonymous objects.
 *
 * Included by tools/dios-bench.c after its seed programs' helpers
 * (seed_run, fail); RUST_ROWS goes into its table of pairs.
 */
#ifndef BENCH_RUST_H
#define BENCH_RUST_H

/*
 * fib(10), 177 tasks: a Rust program is a larger binary than its C twin,
 * and TCG translates each new process's code afresh, so fib(12) in Rust
 * would take most of the VM's time on its own.
 */
#define RUST_FIB_N	"10"

static double rust_fib(long n, const char *variant)
{
	return seed_run("rust-seed-fib", variant, RUST_FIB_N, NULL) / (double)n;
}

static double dios_rust_fib(long n)
{
	return rust_fib(n, "dios");
}

static double std_rust_fib(long n)
{
	return rust_fib(n, "std");
}

static double dios_rust_primes(long n)
{
	return seed_run("rust-seed-primes", "dios", NULL, NULL) / (double)n;
}

static double std_rust_primes(long n)
{
	return seed_run("rust-seed-primes", "std", NULL, NULL) / (double)n;
}

/*
 * One run of rust-seed-create VARIANT N: it times N creations (after a
 * warm-up round of N) itself, the process start left out, and prints
 * "seed create VARIANT: N objects, T ns each".
 */
static double rust_create(const char *variant, long n)
{
	char path[300], count[24], out[256];
	size_t len = 0;
	double ns;
	ssize_t r;
	int fd[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/rust-seed-create", seed_dir);
	snprintf(count, sizeof(count), "%ld", n);
	SCHECK(pipe(fd));
	pid = fork_child();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(path, path, variant, count, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (len < sizeof(out) - 1 &&
	       (r = read(fd[0], out + len, sizeof(out) - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("rust-seed-create: read: %s", strerror(errno));
		len += (size_t)r;
	}
	out[len] = 0;
	close(fd[0]);
	reap(pid, "rust-seed-create");
	if (sscanf(out, "seed create %*s %*d objects, %lf ns each", &ns) != 1)
		fail("rust-seed-create %s: no time in \"%s\"", variant, out);
	return ns;
}

static double dios_rust_anon(long n)
{
	return rust_create("dios-anon", n);
}

static double dios_rust_named(long n)
{
	return rust_create("dios-named", n);
}

static double std_rust_anon(long n)
{
	return rust_create("std-anon", n);
}

static double std_rust_named(long n)
{
	return rust_create("std-named", n);
}

#define RUST_ROWS							\
	{ "rust_fib", "rust seed: fib-tasks fib(10)", "ms/run",		\
	  "dios crate tasks+Chan", "std Command+pipes", dios_rust_fib,	\
	  std_rust_fib, 1000000, "<=", 1.0, 0, DIOS_FEAT_TASKS },	\
	{ "rust_primes", "rust seed: sum-of-primes 12+8", "ms/run",	\
	  "dios crate tasks+Chan", "std Command+pipes", dios_rust_primes, \
	  std_rust_primes, 1000000, "<=", 1.0, 0, DIOS_FEAT_TASKS },	\
	{ "rust_anon_named", "rust: create+delete anon/named", "ns/op",	\
	  "Shmem::create", "Shmem::create_named", dios_rust_anon,	\
	  dios_rust_named, OPS_N, "<=", 0.5, 0, 0 },			\
	{ "rust_create_anon", "rust: create+delete anon 4K", "ns/op",	\
	  "Shmem::create", "std O_TMPFILE+set_len", dios_rust_anon,	\
	  std_rust_anon, OPS_N, NULL, 0, 0, 0 },			\
	{ "rust_create_named", "rust: create+delete named 4K", "ns/op",	\
	  "Shmem::create_named", "std create+set_len+remove",		\
	  dios_rust_named, std_rust_named, OPS_N, NULL, 0, 0, 0 },

#endif /* BENCH_RUST_H */
