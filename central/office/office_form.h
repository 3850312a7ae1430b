/*
 * office_form.h — the small HTTP pieces the office pages need, pure (no
 * I/O, no allocation): an application/x-www-form-urlencoded body parsed
 * into fields (bounded, percent-decoding checked, every value valid UTF-8),
 * a cookie's value from a Cookie header, a Set-Cookie value built (HTML
 * escaping is the page kit's web_text, central/web/web.h).
 *
 * For: central/server/office_*.c. Not for: JSON bodies (jansson), sessions
 * (office.h). Library wufei_office.
 */
#ifndef WUFEI_CENTRAL_OFFICE_FORM_H
#define WUFEI_CENTRAL_OFFICE_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFICE_FORM_MAX_BYTES  8192 /* a form body larger than this is refused */
#define OFFICE_FORM_MAX_FIELDS 32

/* A parsed form: the fields point into buf. */
struct office_form {
	size_t n;
	const char *name[OFFICE_FORM_MAX_FIELDS];
	const char *value[OFFICE_FORM_MAX_FIELDS];
	char buf[OFFICE_FORM_MAX_BYTES + OFFICE_FORM_MAX_FIELDS * 2];
};

/*
 * office_form_parse — body[len] ("a=1&b=x%20y", '+' is a space) into f.
 * WF_ENOMEM: over OFFICE_FORM_MAX_BYTES or OFFICE_FORM_MAX_FIELDS fields;
 * WF_EINVAL: a bad percent escape, a NUL or invalid UTF-8 after decoding, an
 * empty or repeated field name. An empty body is a form with no fields.
 */
int office_form_parse(const char *body, size_t len, struct office_form *f);

/* office_form_get — the value of field name, or NULL. */
const char *office_form_get(const struct office_form *f, const char *name);

/* office_utf8_ok — whether s[len] is valid UTF-8 (no overlongs, surrogates). */
bool office_utf8_ok(const char *s, size_t len);

/*
 * office_cookie_get — the value of cookie name in a Cookie header (NULL:
 * no header) into out[cap]: 1 found, 0 absent or longer than cap - 1.
 */
int office_cookie_get(const char *header, const char *name, char *out, size_t cap);

/*
 * office_cookie_build — a Set-Cookie value: "name=value; Path=/; HttpOnly;
 * SameSite=Strict[; Max-Age=N][; Secure]" (max_age_s < 0: none, a session
 * cookie; 0 deletes it). WF_OK, or WF_ENOMEM when out[cap] is too small,
 * WF_EINVAL when name or value hold characters a cookie cannot.
 */
int office_cookie_build(char *out, size_t cap, const char *name, const char *value,
                        int64_t max_age_s, bool secure);

#endif
