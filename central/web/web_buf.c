/* web_buf.c — the capped growing buffer and HTML escaping; see web.h. */
#include "web.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_buf_init(struct web_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void web_buf_free(struct web_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *web_buf_take(struct web_buf *b)
{
	char *out = NULL;
	if (!b->failed) {
		out = b->data ? b->data : calloc(1, 1);
		b->data = NULL;
	}
	web_buf_free(b);
	return out;
}

/* Room for n more bytes and the NUL; false (and failed) when not. */
static bool reserve(struct web_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n > b->max || b->len > b->max - n) {
		b->failed = true;
		return false;
	}
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void web_rawn(struct web_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void web_raw(struct web_buf *b, const char *s)
{
	web_rawn(b, s, strlen(s));
}

void web_rawf(struct web_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		web_rawn(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The entity for an ASCII byte that must not reach a page as it is, or NULL. */
static const char *entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '`': return "&#96;";
	case '\t':
	case '\n': return NULL;
	default: return c < 0x20 || c == 0x7f ? "\xef\xbf\xbd" : NULL; /* U+FFFD */
	}
}

void web_text(struct web_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t run = 0;
		/* copy the longest run that needs nothing, then one replacement */
		for (;;) {
			if (!p[run])
				break;
			if (p[run] < 0x80 && entity(p[run]))
				break;
			size_t n = utf8_len(p + run);
			if (!n)
				break;
			run += n;
		}
		web_rawn(b, (const char *)p, run);
		p += run;
		if (!*p)
			break;
		const char *rep = *p < 0x80 ? entity(*p) : "\xef\xbf\xbd";
		web_raw(b, rep);
		p++;
	}
}
