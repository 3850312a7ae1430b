/*
 * report_write.c — report tables written out: for the terminal (aligned by
 * display width, controls escaped), as CSV (BOM, CRLF, RFC 4180, formula-
 * looking text neutralised) and as JSON (jansson); see report_table.h.
 */
#include "report_table.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
static const char *number_text(int64_t v, enum report_col_kind kind, char buf[32], size_t *len)
{
	*len = 0;
	if (v == REPORT_EMPTY)
		return "";
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (kind != REPORT_TENTHS) {
		char *p = decimal(a, v < 0, buf + 32);
		*len = (size_t)(buf + 31 - p);
		return p;
	}
	char *p = decimal(a / 10, false, buf + 29); /* room for ".d" */
	size_t n = (size_t)(buf + 28 - p);
	memmove(buf + 1, p, n);
	buf[0] = '-';
	buf[1 + n] = '.';
	buf[2 + n] = (char)('0' + a % 10);
	buf[3 + n] = '\0';
	*len = n + 2 + (v < 0);
	return v < 0 ? buf : buf + 1;
}

/* Cell (row, col) as text; its length into *len. */
static const char *cell_text(const struct report_table *t, size_t row, int col, char buf[32],
                             size_t *len)
{
	int64_t x = REPORT_EMPTY;
	if (t->cols[col].kind == REPORT_TEXT) {
		const char *s = report_cell_text(t, row, col);
		*len = s ? strlen(s) : 0;
		return s ? s : "";
	}
	report_cell_int(t, row, col, &x);
	return number_text(x, t->cols[col].kind, buf, len);
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
		bool same = i >= (size_t)t->ncols && t->cols[c].kind == REPORT_TEXT &&
		            v == report_cell_text(t, i / (size_t)t->ncols - 1, c);
		if (t->cols[c].kind != REPORT_TEXT)
			sh->width[i] = (uint32_t)len;
		else if (same && v[0]) { /* the text above, shared: its width and escape too */
			sh->width[i] = sh->width[i - (size_t)t->ncols];
			if (sh->escaped[i - (size_t)t->ncols]) {
				sh->escaped[i] = report_text_escape(v);
				if (!sh->escaped[i])
					return -1;
			}
		} else {
			if (has_control(v)) {
				sh->escaped[i] = report_text_escape(v);
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
			const char *text = report_cell_text(t, r, c);
			int64_t x = 0;
			snprintf(key, sizeof key, "%s%s", col->key,
			         col->kind == REPORT_TENTHS ? "_tenths" : "");
			json_t *v = NULL;
			if (col->kind == REPORT_TEXT)
				v = text ? json_string(text) : json_null();
			else
				v = report_cell_int(t, r, c, &x) ? json_integer(x) : json_null();
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
