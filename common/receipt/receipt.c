/* receipt.c — signed receipt tokens; see receipt.h. */
#include "receipt.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base32.h"
#include "wf.h"

static void put_le(uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int receipt_encode_payload(const struct receipt *r, uint8_t out[RECEIPT_PAYLOAD_LEN])
{
	if (r->version != RECEIPT_FORMAT_V1 || r->key_id == 0 || r->kiosk == 0 ||
	    r->kiosk > RECEIPT_KIOSK_MAX)
		return WF_EINVAL;
	out[0] = r->version;
	out[1] = r->flags;
	out[2] = r->key_id;
	put_le(out + 3, r->kiosk, 3);
	put_le(out + 6, r->seq, 4);
	put_le(out + 10, r->time_min, 4);
	put_le(out + 14, r->category, 2);
	put_le(out + 16, r->qty, 4);
	put_le(out + 20, r->points, 4);
	return WF_OK;
}

int receipt_decode_payload(const uint8_t in[RECEIPT_PAYLOAD_LEN], struct receipt *out)
{
	struct receipt r;
	r.version = in[0];
	r.flags = in[1];
	r.key_id = in[2];
	r.kiosk = get_le(in + 3, 3);
	r.seq = get_le(in + 6, 4);
	r.time_min = get_le(in + 10, 4);
	r.category = (uint16_t)get_le(in + 14, 2);
	r.qty = get_le(in + 16, 4);
	r.points = get_le(in + 20, 4);
	if (r.version != RECEIPT_FORMAT_V1 || r.key_id == 0 || r.kiosk == 0)
		return WF_EINVAL;
	*out = r;
	return WF_OK;
}

static void receipt_message(const uint8_t payload[RECEIPT_PAYLOAD_LEN], uint8_t *msg)
{
	memcpy(msg, RECEIPT_DOMAIN, sizeof(RECEIPT_DOMAIN) - 1);
	memcpy(msg + sizeof(RECEIPT_DOMAIN) - 1, payload, RECEIPT_PAYLOAD_LEN);
}

#define RECEIPT_MSG_LEN (sizeof(RECEIPT_DOMAIN) - 1 + RECEIPT_PAYLOAD_LEN)

int receipt_make_token(const struct receipt *r, const uint8_t secret_key[64], char *token,
                       size_t token_len)
{
	uint8_t raw[RECEIPT_PAYLOAD_LEN + RECEIPT_SIG_LEN];
	uint8_t msg[RECEIPT_MSG_LEN];
	if (token_len < RECEIPT_TOKEN_LEN + 1)
		return WF_EINVAL;
	int rc = receipt_encode_payload(r, raw);
	if (rc)
		return rc;
	receipt_message(raw, msg);
	crypto_sign_detached(raw + RECEIPT_PAYLOAD_LEN, NULL, msg, sizeof msg, secret_key);
	return base32_encode(raw, sizeof raw, token, token_len);
}

static void receipt_why(char *why, size_t why_len, const char *msg)
{
	if (why && why_len)
		snprintf(why, why_len, "%s", msg);
}

int receipt_check_base_url(const char *base_url, char *why, size_t why_len)
{
	if (!base_url) {
		receipt_why(why, why_len, "no receipt base URL");
		return WF_EINVAL;
	}
	size_t n = strlen(base_url);
	size_t skip;
	if (strncmp(base_url, "HTTPS://", 8) == 0)
		skip = 8;
	else if (strncmp(base_url, "HTTP://", 7) == 0)
		skip = 7;
	else {
		receipt_why(why, why_len, "receipt base URL must start with HTTPS:// (upper case)");
		return WF_EINVAL;
	}
	if (n > RECEIPT_BASE_URL_MAX) {
		receipt_why(why, why_len, "receipt base URL longer than 32 characters");
		return WF_EINVAL;
	}
	if (n == skip || base_url[n - 1] == '/') {
		receipt_why(why, why_len, "receipt base URL needs a host and no trailing '/'");
		return WF_EINVAL;
	}
	for (size_t i = skip; i < n; i++) {
		char c = base_url[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == ':' || c == '/')) {
			receipt_why(why, why_len,
			            "receipt base URL may hold only A-Z 0-9 - . : / (upper case)");
			return WF_EINVAL;
		}
	}
	return WF_OK;
}

int receipt_format_url(const char *base_url, const char *token, char *out, size_t out_len)
{
	if (receipt_check_base_url(base_url, NULL, 0) || !token ||
	    strlen(token) != RECEIPT_TOKEN_LEN)
		return WF_EINVAL;
	int n = snprintf(out, out_len, "%s/R/%s", base_url, token);
	if (n < 0 || (size_t)n >= out_len)
		return WF_EINVAL;
	return n;
}

int receipt_parse(const char *token_or_url, struct receipt *out,
                  uint8_t payload[RECEIPT_PAYLOAD_LEN], uint8_t sig[RECEIPT_SIG_LEN])
{
	uint8_t raw[RECEIPT_PAYLOAD_LEN + RECEIPT_SIG_LEN];
	if (!token_or_url)
		return WF_EINVAL;
	const char *t = token_or_url;
	size_t n = strcspn(t, "?#");
	/* A URL: the token is what follows the last "/R/" or "/r/". */
	for (size_t i = 0; i + 3 <= n; i++)
		if (t[i] == '/' && (t[i + 1] == 'R' || t[i + 1] == 'r') && t[i + 2] == '/') {
			token_or_url = t + i + 3;
		}
	size_t len = strcspn(token_or_url, "?#");
	if (len != RECEIPT_TOKEN_LEN)
		return WF_EINVAL;
	int got = base32_decode(token_or_url, len, raw, sizeof raw);
	if (got != (int)sizeof raw)
		return WF_EINVAL;
	struct receipt r;
	if (receipt_decode_payload(raw, &r))
		return WF_EINVAL;
	if (out)
		*out = r;
	if (payload)
		memcpy(payload, raw, RECEIPT_PAYLOAD_LEN);
	if (sig)
		memcpy(sig, raw + RECEIPT_PAYLOAD_LEN, RECEIPT_SIG_LEN);
	return WF_OK;
}

int receipt_verify(const uint8_t payload[RECEIPT_PAYLOAD_LEN], const uint8_t sig[RECEIPT_SIG_LEN],
                   const uint8_t public_key[32])
{
	uint8_t msg[RECEIPT_MSG_LEN];
	receipt_message(payload, msg);
	if (crypto_sign_verify_detached(sig, msg, sizeof msg, public_key) != 0)
		return WF_ECRYPTO;
	return WF_OK;
}
