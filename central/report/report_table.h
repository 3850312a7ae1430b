/*
 * report_table.h — a report's rows as a table, written out for a person at
 * a terminal (aligned columns, East Asian wide characters counted as two),
 * as JSON (through jansson) or as CSV that spreadsheet programs open as
 * written (UTF-8 with BOM, CRLF, RFC 4180 quoting, formula-looking text
 * neutralised).
 *
 * For: the formatting side of central's reports (report.h fills tables).
 * Not for: reading the store, deciding figures. Pure apart from the FILE
 * it writes to: no clock, no locale, no global state.
 *
 * Cells are integers (int64; REPORT_TENTHS shows one decimal: -34 is
 * "-3.4"), text (copied into the table's arena; bytes that are not UTF-8
 * become U+FFFD), or empty (JSON null). No floating point anywhere.
 */
#ifndef WUFEI_CENTRAL_REPORT_TABLE_H
#define WUFEI_CENTRAL_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum report_col_kind {
	REPORT_TEXT,   /* left-aligned text */
	REPORT_INT,    /* right-aligned integer */
	REPORT_TENTHS, /* right-aligned integer in tenths, shown "12.3"; JSON key gets "_tenths" */
};

struct report_col {
	const char *key;   /* JSON key, e.g. "grams" */
	const char *title; /* terminal and CSV header, e.g. "grams" */
	enum report_col_kind kind;
};

/* A cell: a number (REPORT_EMPTY: none) or text (NULL: none), by its column's kind. */
union report_cell {
	int64_t v;
	const char *text; /* in the table's own arena */
};

#define REPORT_EMPTY INT64_MIN

struct report_chunk; /* the arena the table's texts live in */

/* Marks an English text a page translates (xgettext's keyword, as in
 * common/i18n/i18n.h); the report itself always writes the English. */
#ifndef N_
#define N_(s) (s)
#endif

/*
 * A note as a page in another language says it: fmt is the English printf
 * format marked N_() (NULL: no note), whose conversions are, in order, a %s
 * when dur_s >= 0 (that duration's text, report_duration_fmt), then up to
 * three %lld (args). The table's note is fmt filled in English.
 */
struct report_msg {
	const char *fmt;
	int64_t dur_s; /* seconds, or -1: no %s */
	long long args[3];
};

/* One table of a report: named columns, rows of cells, an optional note. */
struct report_table {
	const char *name;  /* JSON key and CSV section ("rows", "missing", ...) */
	const char *title; /* shown above the table at the terminal */
	const struct report_col *cols;
	int ncols;
	union report_cell *cells; /* nrows * ncols, row by row */
	size_t nrows;
	size_t cap_rows;
	struct report_chunk *arena;
	char note[320];             /* said under the table ("" none), e.g. what was left out */
	struct report_msg note_msg; /* the same note to translate (fmt NULL: none) */
};

enum report_format {
	REPORT_FORMAT_TABLE,
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_CSV,
};

/* report_format_parse — "table", "json" or "csv" into *out; false otherwise. */
bool report_format_parse(const char *text, enum report_format *out);

/* report_table_init — an empty table over cols (static; not copied). */
void report_table_init(struct report_table *t, const char *name, const char *title,
                       const struct report_col *cols, int ncols);

/*
 * report_duration_fmt — seconds as the reports write a duration: the
 * English format marked N_() ("%lld h %lld min") with its two numbers in
 * a[0], a[1] (a format may use only the first). Pure.
 */
const char *report_duration_fmt(int64_t s, long long a[2]);

/* report_msg_format — m in fmt (m->fmt, or its translation with the same
 * conversions) into out[cap], dur the text for the %s (ignored without
 * one). Pure. */
void report_msg_format(const struct report_msg *m, const char *fmt, const char *dur, char *out,
                       size_t cap);

/* report_note_set — t's note_msg = m and its note m in English. */
void report_note_set(struct report_table *t, const struct report_msg *m);

/* report_table_clear — frees the rows; the table can be filled again. */
void report_table_clear(struct report_table *t);

/* report_row_add — a new row of empty cells; its index, or -1 out of memory. */
long report_row_add(struct report_table *t);

/* Setting cell (row, col); text is copied (NULL: empty). False: out of memory.
 * A text equal to the one above it in its column is shared, not copied. */
void report_set_int(struct report_table *t, long row, int col, int64_t v);
bool report_set_text(struct report_table *t, long row, int col, const char *text);
/* report_set_texts — (col, text) pairs after row until a col of -1:
 * report_set_texts(t, row, 1, "a", 4, "b", -1). False: out of memory. */
bool report_set_texts(struct report_table *t, long row, int col, const char *text, ...);

/* Reading cell (row, col): false / NULL when it is empty. */
bool report_cell_int(const struct report_table *t, size_t row, int col, int64_t *v);
const char *report_cell_text(const struct report_table *t, size_t row, int col);

/*
 * report_tables_write — tables[0..n) in fmt into f under the report's name
 * (JSON: {"report": name, <table name>: [ {key: value, ...}, ... ], ...}).
 * Returns 0, or -1 when writing failed.
 */
int report_tables_write(FILE *f, enum report_format fmt, const char *name,
                        const struct report_table *const *tables, int n);

/*
 * report_csv_field — one CSV field for cell, into out[cap] (NUL-terminated,
 * cut to fit), returning the length it needs (without the NUL; at most
 * 2 * strlen(cell) + 3). Text that starts with = + - @, a tab or a carriage
 * return gets a ' in front, so a spreadsheet shows it instead of running
 * it as a formula; a field holding a comma, a quote, CR or LF, or that
 * starts or ends with a space, is quoted with its quotes doubled (RFC
 * 4180). number: the cell is a number this program wrote (a negative
 * number stays a number). Pure.
 */
size_t report_csv_field(const char *cell, bool number, char *out, size_t cap);

/*
 * report_text_width — the columns text takes at a terminal: East Asian wide
 * and full-width characters two, combining marks zero, others one. text is
 * UTF-8 (as cells are). Pure.
 */
size_t report_text_width(const char *text);

/*
 * report_text_escape — a malloc'd copy of UTF-8 text a terminal shows as
 * it is: C0 and C1 controls, DEL and the bidirectional overrides written as
 * \xNN or \uNNNN; NULL when out of memory. Pure.
 */
char *report_text_escape(const char *text);

/*
 * report_text_clean — a malloc'd copy of text in which bytes that are not
 * UTF-8 are U+FFFD; NULL when out of memory. Pure.
 */
char *report_text_clean(const char *text);

#endif
