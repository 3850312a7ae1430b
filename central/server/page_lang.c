/*
 * page_lang.c — the language of a page central serves to a person: the
 * page's own switch (?lang=zh|en) first, else the browser's Accept-Language
 * (RFC 9110 §12.5.4: q-values, "*", ranges matched by their primary subtag:
 * every zh-* is our Chinese, every en-* our English). See server_private.h.
 */
#include "server_private.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

/* One Accept-Language element: its range and weight (thousandths). */
struct lang_range {
	char range[64];
	int q; /* 0..1000 */
};

/* qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")]); p[0..n). -1 when not one. */
static int parse_q(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '0' && p[0] != '1') || (n > 1 && p[1] != '.') || n > 5)
		return -1;
	int q = (p[0] - '0') * 1000, scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (!isdigit((unsigned char)p[i]) || (p[0] == '1' && p[i] != '0'))
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q;
}

static bool range_ok(const char *r)
{
	if (strcmp(r, "*") == 0)
		return true;
	size_t sub = 0;
	for (const char *p = r;; p++) {
		if (*p == '-' || *p == '\0') {
			if (sub == 0 || sub > 8)
				return false;
			if (*p == '\0')
				return true;
			sub = 0;
		} else if (isalpha((unsigned char)*p) ||
		           (p > r && isdigit((unsigned char)*p) && memchr(r, '-', (size_t)(p - r))))
			sub++;
		else
			return false;
	}
}

/* One element e[0..n) ("zh-CN;q=0.8", OWS trimmed); false when it is not valid. */
static bool parse_element(const char *e, size_t n, struct lang_range *out)
{
	size_t rlen = strcspn(e, "; \t");
	if (rlen > n)
		rlen = n;
	if (rlen == 0 || rlen >= sizeof out->range)
		return false;
	memcpy(out->range, e, rlen);
	out->range[rlen] = '\0';
	out->q = 1000;
	const char *p = e + rlen, *end = e + n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end) { /* weight = OWS ";" OWS "q=" qvalue */
		if (*p++ != ';')
			return false;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			return false;
		out->q = parse_q(p + 2, (size_t)(end - p - 2));
	}
	return out->q >= 0 && range_ok(out->range);
}

/* Whether range names lang: its primary subtag is the language's. */
static bool range_names(const char *range, const char *code)
{
	size_t n = strlen(code);
	return strncasecmp(range, code, n) == 0 && (range[n] == '\0' || range[n] == '-');
}

struct lang_score {
	int q;     /* best weight naming it (or "*"'s), 0..1000; -1 none */
	int first; /* index of the element that gave q */
	bool named;
};

static void score(struct lang_score *s, const struct lang_range *r, int idx, const char *code)
{
	bool star = strcmp(r->range, "*") == 0;
	if (!star && !range_names(r->range, code))
		return;
	if (star && s->named)
		return; /* a range naming the language outranks "*" */
	if (!star && !s->named) {
		s->named = true;
		s->q = -1;
	}
	if (r->q > s->q) {
		s->q = r->q;
		s->first = idx;
	}
}

enum wf_lang page_lang(const char *query_lang, const char *accept_language)
{
	enum wf_lang lang;
	if (query_lang && wf_lang_parse(query_lang, &lang))
		return lang;
	struct lang_score zh = {-1, 0, false}, en = {-1, 0, false};
	int others = 0; /* ranges asking for another language (fr, de-CH) */
	const char *p = accept_language ? accept_language : "";
	for (int idx = 0; *p && idx < 32; idx++) { /* at most 32 elements are read */
		size_t n = strcspn(p, ",");
		const char *e = p;
		size_t len = n;
		while (len && (*e == ' ' || *e == '\t'))
			e++, len--;
		while (len && (e[len - 1] == ' ' || e[len - 1] == '\t'))
			len--;
		struct lang_range r;
		if (len && parse_element(e, len, &r)) {
			others += r.q > 0 && strcmp(r.range, "*") && !range_names(r.range, "zh") &&
			          !range_names(r.range, "en");
			score(&zh, &r, idx, "zh");
			score(&en, &r, idx, "en");
		}
		p += n + (p[n] == ',');
	}
	int qz = zh.q > 0 ? zh.q : 0, qe = en.q > 0 ? en.q : 0;
	if (qz != qe)
		return qz > qe ? WF_LANG_ZH : WF_LANG_EN;
	if (qz > 0 && zh.first != en.first)
		return zh.first < en.first ? WF_LANG_ZH : WF_LANG_EN;
	/* Nothing to choose by: a browser that asked for other languages (fr, or
	 * "fr, *;q=0.1") more likely reads English than Chinese; otherwise (no
	 * header, nothing valid, only "*") Chinese, the community's language. */
	return others ? WF_LANG_EN : WF_LANG_ZH;
}
