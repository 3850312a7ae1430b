/* web_lang.c — which language a request's page speaks; see web.h. */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

/* One Accept-Language range ("zh-CN", "en-GB", "*") as a language we speak. */
static bool range_lang(const char *s, size_t n, enum wf_lang *out)
{
	if (n >= 2 && strncasecmp(s, "zh", 2) == 0 && (n == 2 || s[2] == '-' || s[2] == '_')) {
		*out = WF_LANG_ZH;
		return true;
	}
	if (n >= 2 && strncasecmp(s, "en", 2) == 0 && (n == 2 || s[2] == '-' || s[2] == '_')) {
		*out = WF_LANG_EN;
		return true;
	}
	return false;
}

/* The q value of a range's parameters (";q=0.8"), in thousandths; 1000 when absent. */
static int range_q(const char *params, size_t n)
{
	const char *q = NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
		    (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ')) {
			q = params + i + 2;
			break;
		}
	if (!q)
		return 1000;
	int v = 0, digits = 0;
	const char *end = params + n;
	if (q < end && *q == '1')
		return 1000;
	if (q < end && *q == '0')
		q++;
	if (q < end && *q == '.')
		for (q++; q < end && *q >= '0' && *q <= '9' && digits < 3; q++, digits++)
			v = v * 10 + (*q - '0');
	while (digits++ < 3)
		v *= 10;
	return v;
}

/* The language of Accept-Language with the highest q (the first on a tie). */
static bool accept_pick(const char *accept, enum wf_lang *out)
{
	int best_q = 0;
	bool found = false;
	/* bounded: a header longer than this is someone's game, not a browser */
	size_t len = strnlen(accept, 1024);
	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && accept[end] != ',')
			end++;
		size_t s = i;
		while (s < end && accept[s] == ' ')
			s++;
		size_t tag_end = s;
		while (tag_end < end && accept[tag_end] != ';' && accept[tag_end] != ' ')
			tag_end++;
		enum wf_lang l;
		int q = range_q(accept + tag_end, end - tag_end);
		if (range_lang(accept + s, tag_end - s, &l) && q > best_q) {
			best_q = q;
			*out = l;
			found = true;
		}
		i = end + 1;
	}
	return found;
}

enum wf_lang web_lang_pick(const char *query, const char *cookie, const char *accept)
{
	enum wf_lang l = WF_LANG_ZH;
	if (query && wf_lang_parse(query, &l))
		return l;
	if (cookie && wf_lang_parse(cookie, &l))
		return l;
	if (accept && accept_pick(accept, &l))
		return l;
	return WF_LANG_ZH;
}

void web_lang_cookie(enum wf_lang lang, char *out, size_t cap)
{
	snprintf(out, cap, "wufei_lang=%s; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly",
	         wf_lang_code(lang));
}
