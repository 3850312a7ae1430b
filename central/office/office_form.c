/* office_form.c — form bodies, cookies and HTML escaping; see office_form.h. */
#include "office_form.h"

#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "wf.h"

bool office_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n = c < 0x80             ? 1
		           : (c & 0xe0) == 0xc0 ? 2
		           : (c & 0xf0) == 0xe0 ? 3
		           : (c & 0xf8) == 0xf0 ? 4
		                                : 0;
		if (n == 0 || i + n > len)
			return false;
		uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* Decodes in[len] (percent escapes, '+') into out, NUL-terminated; the
 * decoded length, or WF_EINVAL. out has room for len + 1 bytes. */
static int form_decode(const char *in, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '+')
			out[o++] = ' ';
		else if (in[i] == '%') {
			if (i + 2 >= len)
				return WF_EINVAL;
			int hi = hex_digit((unsigned char)in[i + 1]);
			int lo = hex_digit((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return WF_EINVAL;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = in[i];
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || !office_utf8_ok(out, o))
		return WF_EINVAL;
	return (int)o;
}

int office_form_parse(const char *body, size_t len, struct office_form *f)
{
	f->n = 0;
	if (len > OFFICE_FORM_MAX_BYTES)
		return WF_ENOMEM;
	char *w = f->buf;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
			const char *v = eq ? eq + 1 : body + end;
			size_t vlen = eq ? (size_t)(body + end - v) : 0;
			if (f->n == OFFICE_FORM_MAX_FIELDS)
				return WF_ENOMEM;
			int dn = form_decode(body + i, nlen, w);
			if (dn <= 0)
				return WF_EINVAL; /* a bad escape, or an empty name */
			if (office_form_get(f, w))
				return WF_EINVAL; /* a repeated name: which one counts is a trap */
			f->name[f->n] = w;
			w += dn + 1;
			int dv = form_decode(v, vlen, w);
			if (dv < 0)
				return WF_EINVAL;
			f->value[f->n++] = w;
			w += dv + 1;
		}
		i = end + 1;
	}
	return WF_OK;
}

const char *office_form_get(const struct office_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

int office_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	for (const char *p = header; p && *p;) {
		p += strspn(p, " \t;");
		size_t len = strcspn(p, ";");
		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			size_t vlen = len - nlen - 1;
			while (vlen > 0 && (p[nlen + vlen] == ' ' || p[nlen + vlen] == '\t'))
				vlen--;
			if (vlen >= cap)
				return 0;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p += len;
	}
	return 0;
}

/* RFC 6265 cookie-octets (no space, DQUOTE, comma, semicolon, backslash). */
static bool cookie_text_ok(const char *s, bool name)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' ||
		    (name && c == '='))
			return false;
	}
	return true;
}

int office_cookie_build(char *out, size_t cap, const char *name, const char *value,
                        int64_t max_age_s, bool secure)
{
	if (!*name || !cookie_text_ok(name, true) || !cookie_text_ok(value, false))
		return WF_EINVAL;
	char age[40] = "";
	if (max_age_s >= 0)
		snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age_s);
	int n = snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value, age,
	                 secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return WF_ENOMEM;
	}
	return WF_OK;
}
