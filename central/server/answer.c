/* answer.c — answers and the small JSON and number checks the handlers share; see server_private.h.
 */
#include "server_private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void answer_error(struct answer *a, unsigned status, const char *error, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_decref(a->json);
	a->status = status;
	a->json =
	    json_pack("{s:s, s:s, s:s}", "format", "wufei-error-1", "error", error, "message", msg);
}

void answer_store_failed(struct answer *a, int rc, const char *what)
{
	if (rc == WF_EBUSY) {
		answer_error(a, 503, "unavailable",
		             "the database is away or restarting; %s: retry in %u s", what,
		             ANSWER_RETRY_S);
		a->retry_after_s = ANSWER_RETRY_S;
		return;
	}
	answer_error(a, 500, "internal", "storage failed; %s", what);
}

unsigned answer_store_status(struct answer *a, int rc)
{
	if (rc != WF_EBUSY)
		return 500;
	a->retry_after_s = ANSWER_RETRY_S;
	return 503;
}

json_t *answer_parse_body(const struct request *rq, struct answer *a)
{
	json_error_t err;
	json_t *j = json_loadb(rq->body ? rq->body : "", rq->len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		answer_error(a, 400, "malformed_json", "line %d column %d: %s", err.line,
		             err.column, err.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		answer_error(a, 400, "malformed_json", "body must be a JSON object");
		return NULL;
	}
	return j;
}

bool answer_body_kiosk(const json_t *j, uint32_t kiosk, struct answer *a)
{
	const json_t *v = json_object_get(j, "kiosk");
	if (!json_is_integer(v)) {
		answer_error(a, 400, "malformed_json", "kiosk must be an integer");
		return false;
	}
	if (json_integer_value(v) != (json_int_t)kiosk) {
		answer_error(a, 403, "unknown_kiosk",
		             "body names kiosk %" JSON_INTEGER_FORMAT
		             " but the request is signed by kiosk %" PRIu32,
		             json_integer_value(v), kiosk);
		return false;
	}
	return true;
}

bool json_text_ok(const json_t *v, size_t max, bool optional)
{
	if (!v)
		return optional;
	return json_is_string(v) && strlen(json_string_value(v)) <= max;
}

bool json_get_u32(const json_t *o, const char *key, uint32_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX)
		return false;
	*out = (uint32_t)json_integer_value(v);
	return true;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s || strlen(s) > 20)
		return WF_EINVAL;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return WF_EINVAL;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !end || *end || v > max)
		return WF_EINVAL;
	*out = v;
	return WF_OK;
}
