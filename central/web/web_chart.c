/*
 * web_chart.c — bar charts as inline SVG, drawn on the server (the pages
 * need no JavaScript); see web.h. Stacked bars, an axis with its top and
 * middle values, every bar's figures in its <title> (a tooltip), the
 * legend as HTML below. Colours: the Okabe–Ito set, told apart by people
 * with any common colour blindness; the page puts the figures in a table
 * too.
 */
#include "web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

static const char *const colours[WEB_CHART_MAX_SERIES] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
};

enum {
	W = 720,     /* the view box, px */
	H = 300,     /* */
	LEFT = 72,   /* room for the axis's numbers */
	RIGHT = 12,  /* */
	TOP = 36,    /* room for the unit above the axis */
	BOTTOM = 48, /* room for the bars' labels */
};

/* v / scale as text: whole units as "12", else up to three decimals ("0.5"). */
static void scaled(int64_t v, int64_t scale, char *out, size_t cap)
{
	char whole[40];
	if (scale <= 1) {
		web_fmt_int(v, out, cap);
		return;
	}
	web_fmt_int(v / scale, whole, sizeof whole);
	int64_t frac = (v % scale) * 1000 / scale;
	if (frac == 0) {
		snprintf(out, cap, "%s", whole);
		return;
	}
	char f[24];
	snprintf(f, sizeof f, "%03" PRId64, frac < 0 ? -frac : frac);
	for (size_t n = strlen(f); n > 1 && f[n - 1] == '0'; n--)
		f[n - 1] = '\0';
	snprintf(out, cap, "%s.%s", whole, f);
}

/* The smallest 1, 2 or 5 × 10^k that is >= v (and >= 1). */
static int64_t nice_top(int64_t v)
{
	int64_t p = 1;
	while (p <= INT64_MAX / 10 && p * 10 <= v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static int64_t bar_total(const struct web_chart *c, size_t i)
{
	int64_t t = 0;
	for (size_t s = 0; s < c->nseries; s++)
		t += c->value[i][s] > 0 ? c->value[i][s] : 0;
	return t;
}

/* The axis: lines and numbers at 0, half and top. */
static void axis(struct web_buf *b, const struct web_chart *c, int64_t top)
{
	char n[48];
	for (int k = 0; k <= 2; k++) {
		int y = TOP + (H - TOP - BOTTOM) * (2 - k) / 2;
		scaled(top / 2 * k, c->scale, n, sizeof n);
		web_rawf(b,
		         "<line x1=%d x2=%d y1=%d y2=%d stroke=\"%s\"/>"
		         "<text x=%d y=%d text-anchor=end dominant-baseline=middle>",
		         LEFT, W - RIGHT, y, y, k ? "#d0d7de" : "#57606a", LEFT - 6, y);
		web_text(b, n);
		web_raw(b, "</text>");
	}
	web_rawf(b, "<text x=%d y=%d text-anchor=start>", 4, TOP - 14);
	web_text(b, c->y_unit);
	web_raw(b, "</text>");
}

/* One bar's <title>: its label, total and each series' figure. */
static void bar_title(struct web_buf *b, const struct web_chart *c, size_t i)
{
	char n[48];
	web_raw(b, "<title>");
	web_text(b, c->bar_label[i]);
	scaled(bar_total(c, i), c->scale, n, sizeof n);
	web_raw(b, ": ");
	web_text(b, n);
	web_raw(b, " ");
	web_text(b, c->y_unit);
	for (size_t s = 0; c->nseries > 1 && s < c->nseries; s++) {
		scaled(c->value[i][s], c->scale, n, sizeof n);
		web_raw(b, "; ");
		web_text(b, c->series_label[s]);
		web_raw(b, " ");
		web_text(b, n);
	}
	web_raw(b, "</title>");
}

static void bars(struct web_buf *b, const struct web_chart *c, int64_t top)
{
	int plot_w = W - LEFT - RIGHT, plot_h = H - TOP - BOTTOM;
	int slot = plot_w / (int)c->nbars;
	int bw = slot * 7 / 10 > 2 ? slot * 7 / 10 : 2;
	size_t every = (c->nbars + 5) / 6; /* at most ~6 labels under the bars, the last one
	                                    * always (the newest day) */
	for (size_t i = 0; i < c->nbars; i++) {
		int x = LEFT + slot * (int)i + (slot - bw) / 2;
		int64_t below = 0;
		web_raw(b, "<g>");
		bar_title(b, c, i);
		for (size_t s = 0; s < c->nseries; s++) {
			int64_t v = c->value[i][s] > 0 ? c->value[i][s] : 0;
			int y0 = TOP + plot_h - (int)(below * plot_h / top);
			int y1 = TOP + plot_h - (int)((below + v) * plot_h / top);
			below += v;
			if (y0 > y1)
				web_rawf(b, "<rect x=%d y=%d width=%d height=%d fill=\"%s\"/>", x,
				         y1, bw, y0 - y1, colours[s]);
		}
		web_raw(b, "</g>");
		if ((c->nbars - 1 - i) % every == 0 && c->bar_label[i]) {
			web_rawf(b, "<text x=%d y=%d text-anchor=middle>", x + bw / 2,
			         H - BOTTOM + 24);
			web_text(b, c->bar_label[i]);
			web_raw(b, "</text>");
		}
	}
}

static void legend(struct web_buf *b, const struct web_chart *c)
{
	web_raw(b, "<ul class=legend style=\"list-style:none;display:flex;flex-wrap:wrap;"
	           "gap:1em;padding:0;margin:.25em 0 0\">");
	for (size_t s = 0; s < c->nseries; s++) {
		web_rawf(b,
		         "<li><span aria-hidden=true style=\"display:inline-block;width:.9em;"
		         "height:.9em;margin-right:.35em;vertical-align:-.1em;background:%s\">"
		         "</span>",
		         colours[s]);
		web_text(b, c->series_label[s]);
		web_raw(b, "</li>");
	}
	web_raw(b, "</ul>");
}

void web_chart_svg(struct web_buf *b, enum wf_lang lang, const struct web_chart *c)
{
	int64_t max = 0;
	for (size_t i = 0; i < c->nbars; i++)
		if (bar_total(c, i) > max)
			max = bar_total(c, i);
	int64_t scale = c->scale > 0 ? c->scale : 1;
	/* the top in whole scaled units when the figures reach one unit */
	int64_t top = max >= scale ? nice_top((max + scale - 1) / scale) * scale
	              : max > 0    ? nice_top(max)
	                           : scale;
	web_raw(b, "<figure style=\"margin:0\"><figcaption>");
	web_text(b, c->title);
	web_rawf(b, "</figcaption><svg class=chart viewBox=\"0 0 %d %d\" role=img aria-label=\"", W,
	         H);
	web_attr(b, c->title);
	web_raw(b, "\"><title>");
	web_text(b, c->title);
	web_raw(b, "</title>");
	axis(b, c, top);
	if (c->nbars > 0 && c->nbars <= WEB_CHART_MAX_BARS && c->nseries <= WEB_CHART_MAX_SERIES)
		bars(b, c, top);
	if (max == 0) {
		web_rawf(b, "<text x=%d y=%d text-anchor=middle>", W / 2, (H - BOTTOM) / 2);
		web_text(b, wf_tr(lang, "Nothing recorded in this period"));
		web_raw(b, "</text>");
	}
	web_raw(b, "</svg>");
	if (c->nseries > 1)
		legend(b, c);
	web_raw(b, "</figure>");
}
