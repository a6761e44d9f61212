// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Names as text: 64 hex digits, written in lowercase, read in either case.
 */
#include <stddef.h>

#include "internal.h"

static const char hex_digits[] = "0123456789abcdef";

int dios_name_to_str(const struct dios_name *name, char out[65])
{
	size_t i;

	if (!name || !out)
		return -EINVAL;
	for (i = 0; i < sizeof(name->raw); i++) {
		out[2 * i] = hex_digits[name->raw[i] >> 4];
		out[2 * i + 1] = hex_digits[name->raw[i] & 0xf];
	}
	out[2 * sizeof(name->raw)] = '\0';
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dios_name_from_str(const char *s, struct dios_name *name)
{
	struct dios_name n;
	size_t i;

	if (!s || !name)
		return -EINVAL;
	for (i = 0; i < sizeof(n.raw); i++) {
		int hi, lo;

		/* A NUL stops at hi or lo: no read past the end. */
		hi = hex_value(s[2 * i]);
		if (hi < 0)
			return -EINVAL;
		lo = hex_value(s[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		n.raw[i] = (uint8_t)(hi << 4 | lo);
	}
	if (s[2 * sizeof(n.raw)] != '\0')
		return -EINVAL;
	*name = n;
	return 0;
}
