// SPDX-License-Identifier: MIT
/*
 * spawn_chan: start a task with a channel to it, talk, wait for its end.
 *
 * dios_run_chan starts a program as a new task (a child process) with a
 * channel already connected between the two: what a runtime's spawn_task
 * needs.  Here the task is this same program run again with "--child";
 * it finds its end of the channel with dios_chan_parent, answers every
 * request with the same text in capitals, and, once the parent has closed
 * its end (recv: -EPIPE), exits with the number of requests it answered.
 * The parent sends each request and receives the answer in one call
 * (dios_chan_call), closes the channel and reads the task's exit status
 * with dios_task_wait.
 */
#include "example.h"

#include <ctype.h>

static const char *const requests[] = { "hello", "from", "the parent" };
#define N_REQUESTS	(sizeof(requests) / sizeof(requests[0]))

/* The task: answer until the parent closes the channel. */
static int child(void)
{
	struct dios_chan chan;
	int len, i, answered;
	char buf[256];

	TRY(dios_chan_parent(&chan));
	for (answered = 0;; answered++) {
		len = dios_chan_recv(0, &chan, buf, sizeof(buf));
		if (len == -EPIPE)
			break;		/* the parent closed its end */
		TRY(len);
		for (i = 0; i < len; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		TRY(dios_chan_send(0, &chan, buf, len));
	}
	TRY(dios_chan_close(&chan));
	return answered;	/* the exit status the parent checks */
}

int main(int argc, char **argv)
{
	const char *const child_argv[] = { "spawn_chan", "--child", NULL };
	struct dios_task_spec spec = { .argv = child_argv };
	struct dios_chan chan;
	char answer[256], want[256];
	int len, status;
	dios_ref_t task;
	size_t i, k;

	if (argc == 2 && !strcmp(argv[1], "--child"))
		return child();
	if (argc != 1)
		fail("usage: spawn_chan (no arguments)");

	/* /proc/self/exe: this very program; 0: the default capacity. */
	TRY(dios_run_chan(0, 0, "/proc/self/exe", &spec, &task, &chan));
	for (i = 0; i < N_REQUESTS; i++) {
		len = TRY(dios_chan_call(0, &chan, requests[i],
					 strlen(requests[i]), answer,
					 sizeof(answer), NULL));
		for (k = 0; k <= strlen(requests[i]); k++)
			want[k] = (char)toupper((unsigned char)requests[i][k]);
		if ((size_t)len != strlen(want) || memcmp(answer, want, len))
			fail("request \"%s\": answer \"%.*s\"", requests[i],
			     len, answer);
	}
	/* Closing our end is the task's cue to finish. */
	TRY(dios_chan_close(&chan));
	TRY(dios_task_wait(task, &status));
	if (status != (int)N_REQUESTS)
		fail("the task exited with status %d, not %zu", status,
		     N_REQUESTS);
	TRY(dios_delete(0, task));
	printf("spawn_chan: started a task with a channel, %zu requests answered through it, the task exited with status %d\n",
	       N_REQUESTS, status);
	return 0;
}
