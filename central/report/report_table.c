/* report_table.c — report tables for the terminal, JSON and CSV; see report_table.h. */
#include "report_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define REPORT_ROWS_MAX 50000000 /* cells are 24 bytes: a bound well past any real report */

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

/* text for the terminal: controls as \xNN or \uNNNN; malloc'd. */
static char *terminal_text(const char *text)
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

/* ---- cells as text ---- */

/* v in decimal at the end of buf[32]; returns where it starts. */
static char *decimal(uint64_t v, bool negative, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		*--end = '-';
	return end;
}

/* A number cell as text in buf[32]. */
static const char *number_text(int64_t v, enum report_col_kind kind, char buf[32])
{
	if (v == REPORT_EMPTY)
		return "";
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (kind != REPORT_TENTHS)
		return decimal(a, v < 0, buf + 32);
	char *p = decimal(a / 10, false, buf + 29); /* room for ".d" */
	size_t n = strlen(p);
	memmove(buf + 1, p, n);
	buf[0] = '-';
	buf[1 + n] = '.';
	buf[2 + n] = (char)('0' + a % 10);
	buf[3 + n] = '\0';
	return v < 0 ? buf : buf + 1;
}

/* Cell (row, col) as text; its length into *len. */
static const char *cell_text(const struct report_table *t, size_t row, int col, char buf[32],
                             size_t *len)
{
	const union report_cell *c = cell_at(t, row, col);
	const char *v = t->cols[col].kind == REPORT_TEXT
	                    ? (c->text ? c->text : "")
	                    : number_text(c->v, t->cols[col].kind, buf);
	*len = strlen(v);
	return v;
}

/* ---- one row at a time into a buffer, then one write ---- */

struct line {
	char *buf;
	size_t n, cap;
	bool failed;
};

static char *line_room(struct line *l, size_t n)
{
	if (l->cap - l->n < n) {
		size_t cap = (l->cap + n) * 2;
		char *b = realloc(l->buf, cap);
		if (!b) {
			l->failed = true;
			return NULL;
		}
		l->buf = b;
		l->cap = cap;
	}
	return l->buf + l->n;
}

static void line_put(struct line *l, const char *s, size_t n)
{
	char *p = line_room(l, n);
	if (p) {
		memcpy(p, s, n);
		l->n += n;
	}
}

static void line_pad(struct line *l, size_t n)
{
	char *p = line_room(l, n);
	if (p) {
		memset(p, ' ', n);
		l->n += n;
	}
}

/* Writes the line out and empties it. */
static void line_flush(struct line *l, FILE *f)
{
	if (l->n && fwrite(l->buf, 1, l->n, f) != l->n)
		l->failed = true;
	l->n = 0;
}

/* ---- terminal ---- */

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == 0xc2 || *p == 0xe2)
			return true; /* C0, DEL, or maybe C1 / a bidi override: look closer */
	return false;
}

/* What the terminal shows of the text cells, and every cell's width, computed once. */
struct shown {
	char **escaped;  /* a text cell's escaped copy, or NULL: the cell's own text */
	uint32_t *width; /* each cell's columns */
	size_t *col;     /* each column's width */
};

static int shown_make(const struct report_table *t, struct shown *sh)
{
	size_t ncells = t->nrows * (size_t)t->ncols, len = 0;
	char buf[32];
	sh->escaped = calloc(ncells + 1, sizeof *sh->escaped);
	sh->width = calloc(ncells + 1, sizeof *sh->width);
	sh->col = calloc((size_t)t->ncols, sizeof *sh->col);
	if (!sh->escaped || !sh->width || !sh->col)
		return -1;
	for (int c = 0; c < t->ncols; c++)
		sh->col[c] = report_text_width(t->cols[c].title);
	for (size_t i = 0; i < ncells; i++) {
		int c = (int)(i % (size_t)t->ncols);
		const char *v = cell_text(t, i / (size_t)t->ncols, c, buf, &len);
		if (t->cols[c].kind != REPORT_TEXT)
			sh->width[i] = (uint32_t)len;
		else {
			if (has_control(v)) {
				sh->escaped[i] = terminal_text(v);
				if (!sh->escaped[i])
					return -1;
				v = sh->escaped[i];
			}
			sh->width[i] = (uint32_t)report_text_width(v);
		}
		if (sh->width[i] > sh->col[c])
			sh->col[c] = sh->width[i];
	}
	return 0;
}

static void shown_free(const struct report_table *t, struct shown *sh)
{
	for (size_t i = 0; sh->escaped && i < t->nrows * (size_t)t->ncols; i++)
		free(sh->escaped[i]);
	free(sh->escaped);
	free(sh->width);
	free(sh->col);
}

/* One cell: numbers right-aligned, text left-aligned (the last one unpadded). */
static void put_cell(struct line *l, const char *s, size_t len, size_t w, size_t width, bool right,
                     bool last)
{
	if (right)
		line_pad(l, width - w);
	line_put(l, s, len);
	if (!right && !last)
		line_pad(l, width - w);
	line_put(l, last ? "\n" : "  ", last ? 1 : 2);
}

static int write_terminal(FILE *f, const struct report_table *t)
{
	struct shown sh = {0};
	struct line l = {0};
	char buf[32];
	size_t len = 0;
	int rc = shown_make(t, &sh);
	if (!rc) {
		fprintf(f, "%s\n", t->title);
		for (int c = 0; c < t->ncols; c++)
			put_cell(&l, t->cols[c].title, strlen(t->cols[c].title),
			         report_text_width(t->cols[c].title), sh.col[c],
			         t->cols[c].kind != REPORT_TEXT, c == t->ncols - 1);
		for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++) {
			int c = (int)(i % (size_t)t->ncols);
			const char *v = sh.escaped[i];
			if (v)
				len = strlen(v);
			else
				v = cell_text(t, i / (size_t)t->ncols, c, buf, &len);
			put_cell(&l, v, len, sh.width[i], sh.col[c], t->cols[c].kind != REPORT_TEXT,
			         c == t->ncols - 1);
			if (c == t->ncols - 1)
				line_flush(&l, f);
		}
		line_flush(&l, f);
		if (t->nrows == 0)
			fputs("(none)\n", f);
		if (t->note[0])
			fprintf(f, "%s\n", t->note);
	}
	shown_free(t, &sh);
	free(l.buf);
	return rc || l.failed ? -1 : 0;
}

/* ---- CSV ---- */

size_t report_csv_field(const char *cell, bool number, char *out, size_t cap)
{
	size_t n = strlen(cell), o = 0;
	bool neutral = !number && n > 0 && strchr("=+-@\t\r", cell[0]) != NULL;
	bool quote = !number && (strpbrk(cell, ",\"\r\n") != NULL ||
	                         (n > 0 && (cell[0] == ' ' || cell[n - 1] == ' ')));
	char tmp[1];
	if (cap == 0) {
		out = tmp;
		cap = 1;
	}
#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (o + 1 < cap)                                                                   \
			out[o] = (ch);                                                             \
		o++;                                                                               \
	} while (0)
	if (quote)
		PUT('"');
	if (neutral)
		PUT('\'');
	for (size_t i = 0; i < n; i++) {
		if (cell[i] == '"')
			PUT('"');
		PUT(cell[i]);
	}
	if (quote)
		PUT('"');
#undef PUT
	out[o < cap ? o : cap - 1] = '\0';
	return o;
}

static void csv_put(struct line *l, const char *cell, size_t len, bool number, const char *sep)
{
	char *p = line_room(l, 2 * len + 3 + 2);
	if (!p)
		return;
	l->n += report_csv_field(cell, number, p, 2 * len + 4);
	line_put(l, sep, strlen(sep));
}

static void write_csv(FILE *f, const struct report_table *t, bool titled)
{
	struct line l = {0};
	char buf[32];
	size_t len = 0;
	if (titled)
		csv_put(&l, t->title, strlen(t->title), false, "\r\n");
	for (int c = 0; c < t->ncols; c++)
		csv_put(&l, t->cols[c].title, strlen(t->cols[c].title), false,
		        c == t->ncols - 1 ? "\r\n" : ",");
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *v = cell_text(t, r, c, buf, &len);
			csv_put(&l, v, len, t->cols[c].kind != REPORT_TEXT,
			        c == t->ncols - 1 ? "\r\n" : ",");
		}
		line_flush(&l, f);
	}
	if (t->note[0])
		csv_put(&l, t->note, strlen(t->note), false, "\r\n");
	line_flush(&l, f);
	free(l.buf);
}

/* ---- JSON ---- */

static json_t *json_rows(const struct report_table *t)
{
	json_t *rows = json_array();
	char key[64];
	for (size_t r = 0; rows && r < t->nrows; r++) {
		json_t *o = json_object();
		for (int c = 0; o && c < t->ncols; c++) {
			const struct report_col *col = &t->cols[c];
			const union report_cell *cell = cell_at(t, r, c);
			snprintf(key, sizeof key, "%s%s", col->key,
			         col->kind == REPORT_TENTHS ? "_tenths" : "");
			json_t *v =
			    col->kind == REPORT_TEXT
			        ? (cell->text ? json_string(cell->text) : json_null())
			        : (cell->v != REPORT_EMPTY ? json_integer(cell->v) : json_null());
			json_object_set_new(o, key, v ? v : json_null());
		}
		json_array_append_new(rows, o);
	}
	return rows;
}

static int write_json(FILE *f, const char *name, const struct report_table *const *tables, int n)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "report", json_string(name));
	for (int i = 0; i < n; i++) {
		json_object_set_new(doc, tables[i]->name, json_rows(tables[i]));
		if (tables[i]->note[0]) {
			char key[64];
			snprintf(key, sizeof key, "%s_note", tables[i]->name);
			json_object_set_new(doc, key, json_string(tables[i]->note));
		}
	}
	int rc = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
	fputc('\n', f);
	json_decref(doc);
	return rc;
}

int report_tables_write(FILE *f, enum report_format fmt, const char *name,
                        const struct report_table *const *tables, int n)
{
	int rc = 0;
	if (fmt == REPORT_FORMAT_JSON)
		rc = write_json(f, name, tables, n);
	else if (fmt == REPORT_FORMAT_CSV) {
		fputs("\xef\xbb\xbf", f); /* the BOM: spreadsheets then read UTF-8 */
		for (int i = 0; i < n; i++) {
			if (i > 0)
				fputs("\r\n", f);
			write_csv(f, tables[i], n > 1);
		}
	} else
		for (int i = 0; !rc && i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			rc = write_terminal(f, tables[i]);
		}
	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	return rc;
}
