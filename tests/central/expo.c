/* expo.c — the strict exposition reader of the /metrics tests; see expo.h. */
#define _XOPEN_SOURCE 700
#include "expo.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the checks after the parse need of each sample. */
struct sample {
	char name[128];
	char rest[256]; /* its labels other than le, as written (unescaped) */
	char le[128];   /* "" when it has none */
	double value;
};

struct family {
	char name[128];
	char type[16];
	bool has_samples, closed;
};

struct state {
	struct expo *e;
	struct sample *smp; /* e->n of them */
	struct family fam[128];
	size_t nfam;
	int cur; /* family whose samples come now, -1 none */
	int line;
};

static int fail(struct state *st, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(st->e->why, sizeof st->e->why, "line %d: ", st->line);
	va_start(ap, fmt);
	vsnprintf(st->e->why + n, sizeof st->e->why - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t name_len(const char *p, bool label)
{
	size_t n = 0;
	if (!(isalpha((unsigned char)p[0]) || p[0] == '_' || (!label && p[0] == ':')))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || (!label && p[n] == ':'))
		n++;
	return n;
}

static struct family *family_of(struct state *st, const char *name, bool create)
{
	for (size_t i = 0; i < st->nfam; i++)
		if (strcmp(st->fam[i].name, name) == 0)
			return &st->fam[i];
	if (!create || st->nfam == sizeof st->fam / sizeof st->fam[0])
		return NULL;
	struct family *f = &st->fam[st->nfam++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	return f;
}

static int comment(struct state *st, const char *l)
{
	bool help = strncmp(l, "# HELP ", 7) == 0, type = strncmp(l, "# TYPE ", 7) == 0;
	if (!help && !type)
		return 0; /* any other comment */
	const char *p = l + 7;
	size_t n = name_len(p, false);
	char name[128];
	if (n == 0 || n >= sizeof name || p[n] != ' ')
		return fail(st, "bad metric name in '%s'", l);
	memcpy(name, p, n);
	name[n] = '\0';
	p += n + 1;
	if (help) {
		for (; *p; p++)
			if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
				return fail(st, "bad escape in HELP");
			else if (*p == '\\')
				p++;
		return 0;
	}
	static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
	bool ok = false;
	for (size_t i = 0; i < 5; i++)
		ok = ok || strcmp(p, types[i]) == 0;
	struct family *f = family_of(st, name, true);
	if (!ok || !f || f->type[0] || f->has_samples)
		return fail(st, "bad or late TYPE line '%s'", l);
	snprintf(f->type, sizeof f->type, "%s", p);
	return 0;
}

/* A label value from p (after the opening quote) into out; the end quote's pointer. */
static const char *label_value(const char *p, char *out, size_t cap)
{
	size_t o = 0;
	for (; *p && *p != '"'; p++) {
		char ch = *p;
		if (ch == '\\') {
			p++;
			if (*p != '\\' && *p != '"' && *p != 'n')
				return NULL;
			ch = *p == 'n' ? '\n' : *p;
		}
		if (o + 1 >= cap)
			return NULL;
		out[o++] = ch;
	}
	out[o] = '\0';
	return *p == '"' ? p : NULL;
}

/* {k="v",...} at p into s (le apart) and series; the pointer after '}'. */
static const char *labels(const char *p, struct sample *s, char *series, size_t cap)
{
	size_t used = strlen(series);
	p++;
	while (*p != '}') {
		char k[64], v[128];
		size_t n = name_len(p, true);
		if (n == 0 || n >= sizeof k || p[n] != '=' || p[n + 1] != '"')
			return NULL;
		memcpy(k, p, n);
		k[n] = '\0';
		p = label_value(p + n + 2, v, sizeof v);
		if (!p)
			return NULL;
		p++;
		if (strcmp(k, "le") == 0)
			snprintf(s->le, sizeof s->le, "%s", v);
		else
			snprintf(s->rest + strlen(s->rest), sizeof s->rest - strlen(s->rest),
			         "%s%s=\"%s\"", s->rest[0] ? "," : "", k, v);
		used += (size_t)snprintf(series + used, cap - used, "%s%s=\"%s\"",
		                         series[used - 1] == '{' ? "" : ",", k, v);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	snprintf(series + used, cap - used, "}");
	return p + 1;
}

static bool number(const char *p, double *v)
{
	if (!strcmp(p, "+Inf") || !strcmp(p, "-Inf") || !strcmp(p, "NaN")) {
		*v = p[0] == 'N' ? NAN : p[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	char *end = NULL;
	*v = strtod(p, &end);
	return *p && end && *end == '\0';
}

/* The family a sample belongs to: its name, or a histogram's without the suffix. */
static struct family *sample_family(struct state *st, const char *name)
{
	static const char *const sfx[] = {"_bucket", "_sum", "_count"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(name), k = strlen(sfx[i]);
		if (n > k && strcmp(name + n - k, sfx[i]) == 0) {
			char base[128];
			snprintf(base, sizeof base, "%.*s", (int)(n - k), name);
			struct family *f = family_of(st, base, false);
			if (f && strcmp(f->type, "histogram") == 0)
				return f;
		}
	}
	return family_of(st, name, true);
}

static int sample(struct state *st, const char *l)
{
	struct expo *e = st->e;
	if (e->n == EXPO_MAX_SERIES)
		return fail(st, "too many series");
	struct sample *s = &st->smp[e->n];
	memset(s, 0, sizeof *s);
	size_t n = name_len(l, false);
	if (n == 0 || n >= sizeof s->name)
		return fail(st, "bad sample name in '%s'", l);
	memcpy(s->name, l, n);
	char *series = e->s[e->n].series;
	snprintf(series, sizeof e->s[0].series, "%s", s->name);
	const char *p = l + n;
	if (*p == '{') {
		snprintf(series + strlen(series), sizeof e->s[0].series - strlen(series), "{");
		p = labels(p, s, series, sizeof e->s[0].series);
		if (!p)
			return fail(st, "bad labels in '%s'", l);
		if (strcmp(series + strlen(series) - 2, "{}") == 0)
			series[strlen(series) - 2] = '\0';
	}
	if (*p != ' ')
		return fail(st, "no value in '%s'", l);
	char value[64], ts[32] = "";
	if (sscanf(p + 1, "%63s %31s", value, ts) < 1 || !number(value, &s->value) ||
	    (ts[0] && strspn(ts, "-0123456789") != strlen(ts)))
		return fail(st, "bad value in '%s'", l);
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->s[i].series, series) == 0)
			return fail(st, "series twice: %s", series);
	struct family *f = sample_family(st, s->name);
	int idx = f ? (int)(f - st->fam) : -1;
	if (!f || f->closed || !f->type[0])
		return fail(st, "sample of %s without TYPE, or after its family ended", s->name);
	if (st->cur >= 0 && st->cur != idx)
		st->fam[st->cur].closed = true;
	st->cur = idx;
	f->has_samples = true;
	e->s[e->n].value = s->value;
	e->n++;
	return 0;
}

/* Each histogram series: buckets ascending and cumulative, +Inf last = _count, a _sum. */
static int histograms(struct state *st)
{
	struct expo *e = st->e;
	for (size_t i = 0; i < e->n; i++) {
		struct sample *c = &st->smp[i];
		size_t n = strlen(c->name);
		if (n < 6 || strcmp(c->name + n - 6, "_count") != 0)
			continue;
		char base[128];
		snprintf(base, sizeof base, "%.*s", (int)(n - 6), c->name);
		struct family *f = family_of(st, base, false);
		if (!f || strcmp(f->type, "histogram") != 0)
			continue;
		double last_le = -INFINITY, last = 0;
		bool inf = false, sum = false;
		for (size_t j = 0; j < e->n; j++) {
			struct sample *b = &st->smp[j];
			if (strcmp(b->rest, c->rest) != 0 ||
			    strncmp(b->name, base, strlen(base)) != 0)
				continue;
			const char *suffix = b->name + strlen(base);
			sum = sum || strcmp(suffix, "_sum") == 0;
			if (strcmp(suffix, "_bucket") != 0)
				continue;
			double le;
			if (inf || !number(b->le, &le) || le <= last_le || b->value < last)
				return fail(st, "%s{%s}: buckets not ascending and cumulative",
				            base, c->rest);
			last_le = le;
			last = b->value;
			inf = isinf(le);
		}
		if (!inf || last != c->value || !sum)
			return fail(st, "%s{%s}: no +Inf bucket equal to _count, or no _sum", base,
			            c->rest);
	}
	return 0;
}

int expo_parse(const char *text, struct expo *e)
{
	memset(e, 0, sizeof *e);
	struct state st = {.e = e, .cur = -1};
	st.smp = calloc(EXPO_MAX_SERIES, sizeof *st.smp);
	size_t len = strlen(text);
	int rc = len && text[len - 1] == '\n' ? 0 : fail(&st, "empty, or no newline at the end");
	for (const char *p = text; !rc && *p;) {
		const char *nl = strchr(p, '\n');
		char line[1024];
		st.line++;
		if ((size_t)(nl - p) >= sizeof line) {
			rc = fail(&st, "line too long");
			break;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (line[0] == '\0' || strchr(line, '\r'))
			rc = fail(&st, "empty line or CR");
		else
			rc = line[0] == '#' ? comment(&st, line) : sample(&st, line);
		p = nl + 1;
	}
	if (!rc)
		rc = histograms(&st);
	free(st.smp);
	return rc;
}

double expo_value(const struct expo *e, const char *series)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->s[i].series, series) == 0)
			return e->s[i].value;
	return -1;
}
