// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * dios_strerror: what an error of a dios call means in dios terms.  The
 * errno names say what failed in POSIX terms ("Bad file descriptor" for a
 * deleted reference); these say it for references, rights, names, objects
 * and the module (docs/api.md, "Error messages").  Constant strings only:
 * thread-safe, and never touches errno.
 */
#include <limits.h>
#include <stddef.h>

#include "internal.h"

static const struct {
	int err;
	const char *msg;
} dios_errors[] = {
	{ ENODEV, "the dios module is not loaded: /dev/dios is missing or has no driver (load it with `modprobe dios`)" },
	{ EACCES, "permission denied: the reference lacks a right the call needs, or this user may not open /dev/dios (see its group and mode)" },
	{ EPERM, "not permitted: rights can only shrink, a PRIVMEM reference cannot leave its task, or the caller lacks a privilege the call needs" },
	{ EBADF, "not a live reference of this task: deleted, never valid, or deleted while the call waited" },
	{ EBADFD, "the DIOS context descriptor belongs to another process" },
	{ EIDRM, "the object was zombified: its references stay, its operations fail" },
	{ ENOENT, "no object of that name in that group (or no interest entry for the reference, or no such program for dios_run)" },
	{ EEXIST, "the name is taken in that group, or the reference already has an interest entry" },
	{ EALREADY, "the object already has a name" },
	{ ENODATA, "the object is anonymous: it has no name" },
	{ EMFILE, "the task's reference table is full (module parameter max_refs)" },
	{ EDQUOT, "the user's object limit is reached (module parameter max_objects)" },
	{ EFBIG, "size or capacity above the module's limit (module parameters max_size, max_capacity)" },
	{ EINVAL, "invalid argument: an unknown flag, type or right, a zero or misplaced size, a non-zero reserved field, or a reference of the wrong type" },
	{ E2BIG, "more than 64 references for one message, or a request larger than the module knows with a non-zero tail" },
	{ EFAULT, "a pointer argument is NULL or not valid memory" },
	{ ENOTTY, "the module does not know this request (an older module than the library?)" },
	{ EPROTO, "protocol mismatch: the module's ABI major version is not the library's, or a channel's first message was not a connect message" },
	{ EOPNOTSUPP, "this object type does not support the operation" },
	{ EBUSY, "a transaction is already open on that reference in that direction" },
	{ EAGAIN, "the call would block (DIOS_NONBLOCK): the stream is full or empty, the channel not yet connected, or the task still running" },
	{ EPIPE, "the other end is gone: no reader left for a write, or no writer left and the queue drained for a read" },
	{ EMSGSIZE, "the message does not fit: longer than the buffer or the stream's capacity, or more references than room was given for" },
	{ EOVERFLOW, "no room left for another view (32-bit kernel): the views of all tasks cover the module's offset space" },
	{ EBADMSG, "a ring stream's shared pages are corrupt: a peer wrote a position or a frame that does not fit the ring" },
	{ ESTALE, "a write was committed to the blob range after this read was acquired" },
	{ ESRCH, "the task has exited" },
	{ ECHILD, "the task's exit status cannot be read: the process was reaped elsewhere" },
	{ ENOSPC, "the array given is too small for every delegated reference" },
	{ ETIMEDOUT, "the wait timed out" },
	{ EINTR, "interrupted by a signal" },
	{ ENOMEM, "out of memory" },
};

const char *dios_strerror(int err)
{
	size_t i;

	if (err == 0)
		return "success";
	if (err == INT_MIN)
		return "not an error of a dios call";
	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(dios_errors) / sizeof(dios_errors[0]); i++)
		if (dios_errors[i].err == err)
			return dios_errors[i].msg;
	return "not an error of a dios call";
}
