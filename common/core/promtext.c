/* promtext.c — Prometheus text exposition pieces (promtext.h). Pure. */
#include "promtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void promtext_init(struct promtext *t, char *buf, size_t cap)
{
	*t = (struct promtext){.buf = buf, .cap = cap, .full = cap == 0};
	if (cap)
		buf[0] = '\0';
}

void promtext_put(struct promtext *t, const char *fmt, ...)
{
	if (t->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->full = true;
		t->buf[t->len] = '\0'; /* not half a line */
		return;
	}
	t->len += (size_t)n;
}

void promtext_family(struct promtext *t, const char *name, const char *type, const char *help)
{
	promtext_put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Length of the valid UTF-8 character at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

void promtext_label(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), o = 0;
	if (cap == 0)
		return;
	for (size_t i = 0; i < n && o + 5 < cap;) {
		size_t u = s[i] >= 0x80 ? utf8_len(s + i, n - i) : 0;
		if (u) {
			memcpy(out + o, s + i, u);
			o += u, i += u;
			continue;
		}
		if (s[i] == '\\' || s[i] == '"')
			out[o++] = '\\', out[o++] = (char)s[i];
		else if (s[i] == '\n')
			out[o++] = '\\', out[o++] = 'n';
		else
			out[o++] = s[i] < 0x20 || s[i] >= 0x7f ? '?' : (char)s[i];
		i++;
	}
	out[o] = '\0';
}
