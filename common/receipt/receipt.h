/*
 * receipt.h — signed receipt tokens (DESIGN "Receipts").
 *
 * For: the kiosk (makes a token after the drop's COMMIT, prints its URL as a
 * QR code) and central (decodes and verifies tokens, shows /r/<TOKEN>).
 * Not for: key storage (signing.h), key lookup or revocation (central), QR
 * drawing (ui/printer code).
 *
 * Token v1 = base32 (RFC 4648, no padding) of a 24-byte payload followed by
 * the 64-byte Ed25519 signature of "wufei-receipt-v1\n" || payload, i.e.
 * RECEIPT_TOKEN_LEN (141) characters. Payload, little-endian:
 *   [0] format version (1)  [1] flags       [2] key id (1..255)
 *   [3..5] kiosk (24 bit)   [6..9] seq      [10..13] time, UTC minutes since 1970
 *   [14..15] category id    [16..19] quantity (grams or pieces)
 *   [20..23] points
 * The URL is "<BASE>/R/<TOKEN>" with an upper-case BASE such as
 * "HTTPS://R.WUFEI.CN" of at most RECEIPT_BASE_URL_MAX characters, so the
 * whole URL is QR-alphanumeric and fits QR version 7 at level M.
 * Needs libsodium; functions call sodium_init() themselves.
 */
#ifndef WUFEI_RECEIPT_H
#define WUFEI_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#define RECEIPT_FORMAT_V1    1
#define RECEIPT_PAYLOAD_LEN  24
#define RECEIPT_SIG_LEN      64
#define RECEIPT_TOKEN_LEN    141 /* base32 of 88 bytes */
#define RECEIPT_BASE_URL_MAX 32
#define RECEIPT_URL_MAX      (RECEIPT_BASE_URL_MAX + 3 + RECEIPT_TOKEN_LEN) /* without NUL */
#define RECEIPT_KIOSK_MAX    0xFFFFFFu
#define RECEIPT_DOMAIN       "wufei-receipt-v1\n"

/* flags */
#define RECEIPT_FLAG_ANONYMOUS 0x01u /* no resident card: points not credited */
#define RECEIPT_FLAG_CAPPED    0x02u /* daily limit capped the points */
#define RECEIPT_FLAG_PIECES    0x04u /* quantity is pieces, not grams */
#define RECEIPT_FLAG_TEST      0x08u /* made in test/demo mode */

struct receipt {
	uint8_t version;   /* RECEIPT_FORMAT_V1 */
	uint8_t flags;     /* RECEIPT_FLAG_* */
	uint8_t key_id;    /* which of the kiosk's keys signed, 1..255 */
	uint32_t kiosk;    /* kiosk number, 1..RECEIPT_KIOSK_MAX */
	uint32_t seq;      /* journal sequence number of the drop */
	uint32_t time_min; /* corrected UTC time of the drop, minutes since 1970 */
	uint16_t category; /* central's category id */
	uint32_t qty;      /* grams, or pieces with RECEIPT_FLAG_PIECES */
	uint32_t points;   /* points credited */
};

/*
 * receipt_encode_payload — the 24 payload bytes of r. Returns WF_OK, or
 * WF_EINVAL if version, key_id or kiosk are out of range.
 */
int receipt_encode_payload(const struct receipt *r, uint8_t out[RECEIPT_PAYLOAD_LEN]);

/* receipt_decode_payload — inverse of encode; WF_EINVAL for an unknown version or bad ranges. */
int receipt_decode_payload(const uint8_t in[RECEIPT_PAYLOAD_LEN], struct receipt *out);

/*
 * receipt_make_token — signs r with the kiosk's 64-byte secret key and
 * writes the token plus NUL into token[token_len] (>= RECEIPT_TOKEN_LEN+1).
 * Returns the token length or WF_EINVAL.
 */
int receipt_make_token(const struct receipt *r, const uint8_t secret_key[64], char *token,
                       size_t token_len);

/*
 * receipt_check_base_url — whether base_url may prefix receipt URLs: at most
 * RECEIPT_BASE_URL_MAX characters, starts with "HTTPS://" or "HTTP://", only
 * upper-case letters, digits and "-.:" after that, no trailing '/'.
 * Returns WF_OK or WF_EINVAL with a reason in why[why_len] (may be NULL).
 * For the kiosk's config loader.
 */
int receipt_check_base_url(const char *base_url, char *why, size_t why_len);

/*
 * receipt_format_url — "<base_url>/R/<token>" plus NUL into out[out_len].
 * Returns the length or WF_EINVAL (bad base URL or token, or out too small).
 */
int receipt_format_url(const char *base_url, const char *token, char *out, size_t out_len);

/*
 * receipt_parse — decodes a token, or a URL ending in "/R/<TOKEN>" or
 * "/r/<TOKEN>" (a trailing query or fragment is ignored), WITHOUT checking
 * the signature. Fills *out, the payload bytes and the signature.
 * Returns WF_OK, or WF_EINVAL for anything malformed (wrong length,
 * characters, version, trailing bits).
 */
int receipt_parse(const char *token_or_url, struct receipt *out,
                  uint8_t payload[RECEIPT_PAYLOAD_LEN], uint8_t sig[RECEIPT_SIG_LEN]);

/*
 * receipt_verify — checks sig over the payload with the 32-byte public key.
 * Returns WF_OK or WF_ECRYPTO.
 */
int receipt_verify(const uint8_t payload[RECEIPT_PAYLOAD_LEN], const uint8_t sig[RECEIPT_SIG_LEN],
                   const uint8_t public_key[32]);

#endif
