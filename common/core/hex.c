/* hex.c — the one hex codec (hex.h). */
#include "hex.h"

#include "wf.h"

#include <assert.h>
#include <string.h>

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	assert((in || !n) && (out || !cap));
	if (cap == 0 || n > (cap - 1) / 2) {
		if (cap)
			out[0] = '\0';
		return WF_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return WF_OK;
}

int hex_decode(const char *hex, size_t len, uint8_t *out, size_t n)
{
	assert(out || !n);
	if (len != 2 * n || (!hex && len))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit((unsigned char)hex[2 * i]);
		int lo = hex_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return WF_OK;
bad:
	if (n)
		memset(out, 0, n);
	return WF_EINVAL;
}
