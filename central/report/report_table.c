/* report_table.c — report tables: rows, cells, texts and their widths; see report_table.h.
 * (Writing them out: report_write.c.) */
#include "report_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_ROWS_MAX 20000000 /* a bound well past any real report (8 bytes a cell) */

bool report_format_parse(const char *text, enum report_format *out)
{
	static const char *const names[] = {"table", "json", "csv"};
	for (int i = 0; i < 3; i++)
		if (text && strcmp(text, names[i]) == 0) {
			*out = (enum report_format)i;
			return true;
		}
	return false;
}

void report_table_init(struct report_table *t, const char *name, const char *title,
                       const struct report_col *cols, int ncols)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	t->title = title;
	t->cols = cols;
	t->ncols = ncols;
}

struct report_chunk {
	struct report_chunk *next;
	size_t used, cap;
	char data[];
};

#define REPORT_CHUNK 65536

/* n bytes from t's arena, or NULL. */
static char *arena_alloc(struct report_table *t, size_t n)
{
	struct report_chunk *c = t->arena;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > REPORT_CHUNK ? n : REPORT_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = t->arena;
		c->used = 0;
		c->cap = cap;
		t->arena = c;
	}
	char *p = c->data + c->used;
	c->used += n;
	return p;
}

void report_table_clear(struct report_table *t)
{
	while (t->arena) {
		struct report_chunk *next = t->arena->next;
		free(t->arena);
		t->arena = next;
	}
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap_rows = 0;
	t->note[0] = '\0';
	t->note_msg = (struct report_msg){.fmt = NULL, .dur_s = -1};
}

long report_row_add(struct report_table *t)
{
	if (t->nrows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
		if (cap > REPORT_ROWS_MAX)
			return -1;
		union report_cell *c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
		if (!c)
			return -1;
		t->cells = c;
		t->cap_rows = cap;
	}
	union report_cell *row = &t->cells[t->nrows * (size_t)t->ncols];
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == REPORT_TEXT)
			row[i].text = NULL;
		else
			row[i].v = REPORT_EMPTY;
	}
	return (long)t->nrows++;
}

static union report_cell *cell_at(const struct report_table *t, size_t row, int col)
{
	return &t->cells[row * (size_t)t->ncols + (size_t)col];
}

void report_set_int(struct report_table *t, long row, int col, int64_t v)
{
	cell_at(t, (size_t)row, col)->v = v;
}

bool report_cell_int(const struct report_table *t, size_t row, int col, int64_t *v)
{
	int64_t x = cell_at(t, row, col)->v;
	if (t->cols[col].kind == REPORT_TEXT || x == REPORT_EMPTY)
		return false;
	*v = x;
	return true;
}

const char *report_cell_text(const struct report_table *t, size_t row, int col)
{
	return t->cols[col].kind == REPORT_TEXT ? cell_at(t, row, col)->text : NULL;
}

static size_t clean_into(const char *text, size_t n, char *out);

bool report_set_text(struct report_table *t, long row, int col, const char *text)
{
	union report_cell *c = cell_at(t, (size_t)row, col);
	c->text = NULL;
	if (!text)
		return true;
	const char *above = row > 0 ? cell_at(t, (size_t)row - 1, col)->text : NULL;
	if (above && strcmp(above, text) == 0) {
		c->text = above; /* the arena is freed whole: sharing is safe */
		return true;
	}
	size_t n = strlen(text);
	char *copy = arena_alloc(t, 3 * n + 1);
	if (!copy)
		return false;
	size_t len = clean_into(text, n, copy);
	t->arena->used -= 3 * n - len; /* the last allocation: give back what it did not use */
	c->text = copy;
	return true;
}

bool report_set_texts(struct report_table *t, long row, int col, const char *text, ...)
{
	va_list ap;
	bool ok = true;
	va_start(ap, text);
	while (col >= 0) {
		ok = report_set_text(t, row, col, text) && ok;
		col = va_arg(ap, int);
		if (col >= 0)
			text = va_arg(ap, const char *);
	}
	va_end(ap);
	return ok;
}

/* ---- UTF-8 ---- */

/* The code point at s (length into *len), or -1 (and *len 1) for a byte that is not UTF-8. */
static int32_t utf8_next(const unsigned char *s, size_t *len)
{
	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || s[0] > 0xf4)
		return -1;
	int32_t cp = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	static const int32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = (size_t)n;
	return cp;
}

/* text[0..n) with bytes that are not UTF-8 as U+FFFD into out (3n + 1 bytes); its length. */
static size_t clean_into(const char *text, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0, i = 0;
	while (i < n && s[i] < 0x80)
		i++; /* ASCII: as it is */
	memcpy(out, text, i);
	o = i;
	while (i < n) {
		size_t len = 0;
		if (utf8_next(s + i, &len) < 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return o;
}

char *report_text_clean(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(3 * n + 1); /* a bad byte (1) becomes U+FFFD (3) */
	if (out)
		clean_into(text, n, out);
	return out;
}

/* East Asian Wide and Fullwidth ranges (Unicode 15, the blocks that matter). */
static bool cp_wide(int32_t c)
{
	if (c >= 0x4e00 && c <= 0x9fff)
		return true; /* CJK ideographs: most of what is wide here */
	if (c < 0x1100)
		return false;
	static const int32_t r[][2] = {
	    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
	    {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26a1, 0x26a1},
	    {0x26bd, 0x26be},   {0x2705, 0x2705},   {0x2753, 0x2755},   {0x2e80, 0x303e},
	    {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
	    {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},
	    {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4},
	    {0x17000, 0x18cff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
	    {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f251}, {0x1f300, 0x1f64f},
	    {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff}, {0x1fa70, 0x1faff}, {0x20000, 0x3fffd},
	};
	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (c >= r[i][0] && c <= r[i][1])
			return true;
	return false;
}

/* Combining marks and zero-width characters: no column of their own. */
static bool cp_zero(int32_t c)
{
	return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	       (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) ||
	       (c >= 0xfe20 && c <= 0xfe2f) || c == 0x3099 || c == 0x309a;
}

size_t report_text_width(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t w = 0;
	while (s[w] && s[w] < 0x80)
		w++; /* ASCII: a column a byte */
	s += w;
	for (size_t i = 0; s[i];) {
		size_t len = 0;
		int32_t c = utf8_next(s + i, &len);
		w += c < 0 ? 1 : cp_wide(c) ? 2 : cp_zero(c) ? 0 : 1;
		i += len;
	}
	return w;
}

/* Characters a terminal would act on instead of showing: C0, DEL, C1, and
 * the bidirectional overrides that reorder what follows them. */
static bool cp_control(int32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

char *report_text_escape(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(6 * n + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t len = 0;
		int32_t c = utf8_next(s + i, &len);
		if (c >= 0 && cp_control(c))
			o += (size_t)snprintf(
			    out + o, 7, c < 0x80 ? "\\x%02" PRIx32 : "\\u%04" PRIx32, (uint32_t)c);
		else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

const char *report_duration_fmt(int64_t s, long long a[2])
{
	a[1] = 0;
	if (s >= 86400) {
		a[0] = s / 86400;
		a[1] = s % 86400 / 3600;
		return N_("%lld d %lld h");
	}
	if (s >= 3600) {
		a[0] = s / 3600;
		a[1] = s % 3600 / 60;
		return N_("%lld h %lld min");
	}
	if (s >= 60) {
		a[0] = s / 60;
		return N_("%lld min");
	}
	a[0] = s;
	return N_("%lld s");
}

/* fmt comes from report.h's callers (N_ texts or their checked
 * translations: msgfmt --check holds them to the same conversions). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void report_msg_format(const struct report_msg *m, const char *fmt, const char *dur, char *out,
                       size_t cap)
{
	if (m->dur_s >= 0)
		snprintf(out, cap, fmt, dur, m->args[0], m->args[1], m->args[2]);
	else
		snprintf(out, cap, fmt, m->args[0], m->args[1], m->args[2]);
}
#pragma GCC diagnostic pop

void report_note_set(struct report_table *t, const struct report_msg *m)
{
	char dur[32] = "";
	long long a[2] = {0, 0};
	t->note_msg = *m;
	if (m->dur_s >= 0) {
		const char *fmt = report_duration_fmt(m->dur_s, a); /* before a is read */
		snprintf(dur, sizeof dur, fmt, a[0], a[1]);
	}
	report_msg_format(m, m->fmt, dur, t->note, sizeof t->note);
}
