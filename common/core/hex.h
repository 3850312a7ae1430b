/*
 * hex.h — the one hex codec: bytes to lower-case hex text and back.
 *
 * For: hashes, keys and signatures written as text (journal dumps, JSON on
 * the wire, key files, central's CLI). Not for: anything else; no I/O, no
 * allocation. Library wufei_core.
 */
#ifndef WUFEI_HEX_H
#define WUFEI_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * hex_encode — n bytes to 2n lower-case hex characters and a NUL in out
 * (cap >= 2n + 1). Returns WF_OK, or WF_ENOMEM (out "" when cap > 0).
 */
int hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/*
 * hex_decode — exactly 2n hex characters (either case) from hex (len bytes,
 * not NUL-terminated; len must be 2n) to n bytes in out. Returns WF_OK, or
 * WF_EINVAL (wrong length or a non-hex character; out zeroed). hex may be
 * NULL only with len 0.
 */
int hex_decode(const char *hex, size_t len, uint8_t *out, size_t n);

/* hex_digit — the value of one hex character (either case), or -1. */
int hex_digit(int c);

#endif
