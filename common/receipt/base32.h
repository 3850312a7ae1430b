/*
 * base32.h — RFC 4648 base32 (alphabet A-Z 2-7) without padding.
 *
 * For: receipt tokens, which must stay inside the QR alphanumeric set.
 * Not for: base32hex or padded input. Pure, libc only, no allocation.
 */
#ifndef WUFEI_BASE32_H
#define WUFEI_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed for n bytes (no padding, no NUL). */
#define BASE32_ENCODED_LEN(n) (((n)*8 + 4) / 5)

/*
 * base32_encode — writes the base32 text of in[0..in_len) and a NUL into
 * out[out_len]. Returns the number of characters (without NUL), or
 * WF_EINVAL if out_len < BASE32_ENCODED_LEN(in_len) + 1. Never blocks.
 */
int base32_encode(const uint8_t *in, size_t in_len, char *out, size_t out_len);

/*
 * base32_decode — decodes text[0..text_len) into out[out_cap]. Letters are
 * accepted in either case. Rejects (WF_EINVAL) any other character, '='
 * padding, a length no encoder produces, and non-zero unused trailing bits
 * (so every byte string has exactly one accepted spelling per case).
 * Returns the number of bytes written, or WF_EINVAL / WF_ENOMEM (out_cap too
 * small).
 */
int base32_decode(const char *text, size_t text_len, uint8_t *out, size_t out_cap);

#endif
