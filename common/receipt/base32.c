/* base32.c — RFC 4648 base32 without padding; see base32.h. */
#include "base32.h"

#include "wf.h"

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_encode(const uint8_t *in, size_t in_len, char *out, size_t out_len)
{
	size_t need = BASE32_ENCODED_LEN(in_len);
	if (out_len < need + 1 || need > 0x7fffffff)
		return WF_EINVAL;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < in_len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = base32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = base32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return (int)o;
}

static int base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int base32_decode(const char *text, size_t text_len, uint8_t *out, size_t out_cap)
{
	/* Valid unpadded lengths leave 0, 2, 4, 5 or 7 characters after full 8-groups. */
	size_t rem = text_len % 8;
	if (rem == 1 || rem == 3 || rem == 6)
		return WF_EINVAL;
	size_t n = text_len * 5 / 8;
	if (n > out_cap)
		return WF_ENOMEM;
	if (n > 0x7fffffff)
		return WF_EINVAL;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < text_len; i++) {
		int v = base32_value(text[i]);
		if (v < 0)
			return WF_EINVAL;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return WF_EINVAL;
	return (int)o;
}
