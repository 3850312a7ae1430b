/* web_page.c — the page shell, tables, links and forms; see web.h. */
#include "web.h"

#include <string.h>

#include "i18n.h"

/*
 * The one stylesheet, inline (no second request, nothing to cache wrong).
 * Sized for a 1366×768 office screen at 100 %: a 1280 px column, 16 px text;
 * colours meet WCAG AA (text #1f2328 on white 15.8:1, white on #14532d 9.6:1,
 * links #0b57d0 on white 6.5:1). Printing drops the header's controls.
 */
static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.5 'Noto Sans CJK SC','Noto Sans SC','DejaVu Sans',sans-serif;"
    "color:#1f2328;background:#f6f8fa}"
    "a{color:#0b57d0}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px "
    "solid #f59e0b;outline-offset:2px}"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em 1em;z-index:9}"
    ".skip:focus{left:1em}"
    "header{background:#14532d;color:#fff}"
    "header .bar{max-width:1280px;margin:0 auto;padding:.5em 1.5em;display:flex;"
    "align-items:center;gap:2em;flex-wrap:wrap}"
    "header .brand{font-size:1.25em;font-weight:700;color:#fff;text-decoration:none}"
    "header nav ul{list-style:none;margin:0;padding:0;display:flex;gap:.25em}"
    "header nav a{color:#fff;text-decoration:none;padding:.4em .8em;border-radius:4px;"
    "display:block}"
    "header nav a:hover{background:#166534}"
    "header nav a[aria-current=page]{background:#fff;color:#14532d;font-weight:700}"
    "header .tools{margin-left:auto;display:flex;gap:1.5em;align-items:center}"
    "header .tools a{color:#fff}"
    "main{max-width:1280px;margin:0 auto;padding:1em 1.5em 2em}main:focus{outline:none}"
    "h1{font-size:1.6em;margin:.3em 0 .6em}h2{font-size:1.25em;margin:1.4em 0 .5em}"
    ".lead{color:#424a53;margin-top:-.3em}"
    "section.panel,table{background:#fff;border:1px solid #d0d7de;border-radius:6px}"
    "section.panel{padding:1em 1.25em;margin:0 0 1.25em}section.panel h2{margin-top:0}"
    ".grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1.25em}"
    "figcaption{font-weight:700;margin-bottom:.25em}"
    ".figures{display:flex;gap:1em;flex-wrap:wrap;margin:0 0 1.25em;padding:0;list-style:none}"
    ".figures li{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.6em 1.2em;"
    "min-width:11em}"
    ".figures .n{display:block;font-size:1.6em;font-weight:700;font-variant-numeric:"
    "tabular-nums}"
    "table{border-collapse:collapse;width:100%;margin:0 0 1.25em}"
    "caption{text-align:left;font-weight:700;padding:.5em 0;caption-side:top}"
    "th,td{padding:.4em .75em;border-bottom:1px solid #d0d7de;text-align:left;"
    "vertical-align:top}"
    "thead th{background:#eef1f4;font-weight:700}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tbody tr:nth-child(even){background:#f6f8fa}"
    "code,.mono{font-family:'DejaVu Sans Mono',monospace;font-size:.9em}"
    ".bytes{word-break:break-all}"
    ".ok{color:#116329;font-weight:700}.bad{color:#a40e26;font-weight:700}"
    ".note{color:#424a53}"
    "form.inline{display:flex;gap:.75em;align-items:flex-end;flex-wrap:wrap;margin:0 0 1em}"
    "form.inline label{display:block;font-weight:700}"
    "input{font:inherit;padding:.3em .5em;border:1px solid #6e7781;border-radius:4px}"
    "button{font:inherit;padding:.35em 1em;border:0;border-radius:4px;background:#14532d;"
    "color:#fff;cursor:pointer}"
    "svg.chart{width:100%;height:auto;display:block}"
    "header form.logout{margin:0}header form.logout button{background:#fff;color:#14532d;"
    "font-weight:700}"
    ".subnav ul{list-style:none;margin:0 0 1em;padding:0;display:flex;gap:.5em;flex-wrap:wrap}"
    ".subnav a{display:block;padding:.3em .9em;border:1px solid #14532d;border-radius:4px;"
    "text-decoration:none}.subnav a[aria-current=page]{background:#14532d;color:#fff}"
    "details.more{margin:.4em 0 1.2em}details.more summary{cursor:pointer;color:#0550ae}"
    ".scroll{overflow-x:auto}.scroll td{white-space:nowrap}"
    ".scroll thead th.num{white-space:normal}"
    ".scroll td.wrap{white-space:normal;min-width:16em}"
    ".result{font-size:1.1em}"
    "form.stack{max-width:26em}form.stack label{display:block;font-weight:700;margin-top:.8em}"
    "form.stack input{width:100%}form.stack button{margin-top:1em}"
    "svg.chart text{font-size:18px;fill:#1f2328}"
    "table.facts th{width:16em}"
    "footer{max-width:1280px;margin:0 auto;padding:1em 1.5em;color:#424a53;font-size:.9em}"
    "@media print{header nav,header .tools,.skip,form.inline,.noprint{display:none}"
    "body{background:#fff}header{background:#fff;color:#000}header .brand{color:#000}"
    "main{max-width:none;padding:0}table{page-break-inside:auto}tr{page-break-inside:avoid}"
    "a{color:#000;text-decoration:none}}";

struct nav_item {
	enum web_nav id;
	const char *href;
	const char *label;
};

static const struct nav_item nav_items[] = {
    {WEB_NAV_DASHBOARD, "/office/", N_("Dashboard")},
    {WEB_NAV_KIOSKS, "/office/kiosks", N_("Kiosks")},
    {WEB_NAV_ALERTS, "/office/alerts", N_("Tamper alerts")},
    {WEB_NAV_REPORTS, "/office/reports/daily", N_("Reports")},
    {WEB_NAV_RESIDENTS, "/office/residents", N_("Residents")},
};

static void page_header(struct web_buf *b, const struct web_page *p)
{
	enum wf_lang other = p->lang == WF_LANG_ZH ? WF_LANG_EN : WF_LANG_ZH;
	web_raw(b, "<header><div class=bar><a class=brand href=\"/office/\">");
	web_text(b, wf_tr(p->lang, "Wufei office"));
	web_raw(b, "</a>");
	if (p->user) {
		web_raw(b, "<nav aria-label=\"");
		web_attr(b, wf_tr(p->lang, "Office pages"));
		web_raw(b, "\"><ul>");
	}
	for (size_t i = 0; p->user && i < sizeof nav_items / sizeof nav_items[0]; i++) {
		web_raw(b, "<li><a href=\"");
		web_attr(b, nav_items[i].href);
		web_raw(b, nav_items[i].id == p->nav ? "\" aria-current=page>" : "\">");
		web_text(b, wf_tr(p->lang, nav_items[i].label));
		web_raw(b, "</a></li>");
	}
	web_raw(b, p->user ? "</ul></nav><div class=tools>" : "<div class=tools>");
	if (p->user) { /* the account page has the password form */
		web_raw(b, "<a class=user href=\"/office/account\">");
		web_text(b, p->user);
		web_raw(b, "</a><form class=logout method=post action=\"/office/logout\">"
		           "<input type=hidden name=\"" WEB_CSRF_FIELD "\" value=\"");
		web_attr(b, p->csrf ? p->csrf : "");
		web_raw(b, "\"><button type=submit>");
		web_text(b, wf_tr(p->lang, "Log out"));
		web_raw(b, "</button></form>");
	}
	/* the switch: this page in the other language, named in that language */
	const char *self = p->self ? p->self : "/office/";
	web_raw(b, "<a class=lang href=\"");
	web_attr(b, self);
	web_raw(b, strchr(self, '?') ? "&amp;lang=" : "?lang=");
	web_raw(b, wf_lang_code(other));
	web_raw(b,
	        other == WF_LANG_ZH ? "\" hreflang=zh-CN lang=zh-CN>" : "\" hreflang=en lang=en>");
	web_text(b, wf_lang_name(other));
	web_raw(b, "</a></div></div></header>");
}

void web_page_begin(struct web_buf *b, const struct web_page *p)
{
	web_raw(b, p->lang == WF_LANG_ZH ? "<!DOCTYPE html><html lang=zh-CN>"
	                                 : "<!DOCTYPE html><html lang=en>");
	web_raw(b, "<head><meta charset=utf-8><meta name=viewport "
	           "content=\"width=device-width, initial-scale=1\"><title>");
	web_text(b, p->title);
	web_raw(b, " · ");
	web_text(b, wf_tr(p->lang, "Wufei office"));
	web_raw(b, "</title><style>");
	web_raw(b, css);
	web_raw(b, "</style></head><body><a class=skip href=\"#main\">");
	web_text(b, wf_tr(p->lang, "Skip to content"));
	web_raw(b, "</a>");
	page_header(b, p);
	web_raw(b, "<main id=main tabindex=-1><h1>");
	web_text(b, p->title);
	web_raw(b, "</h1>");
}

void web_page_end(struct web_buf *b, const struct web_page *p)
{
	web_raw(b, "</main><footer>");
	web_text(b,
	         wf_tr(p->lang, "Wufei central office · figures from the records central holds"));
	web_raw(b, "</footer></body></html>\n");
}

void web_table_begin(struct web_buf *b, const char *caption, const struct web_col *cols,
                     size_t ncols)
{
	web_raw(b, "<table>");
	if (caption) {
		web_raw(b, "<caption>");
		web_text(b, caption);
		web_raw(b, "</caption>");
	}
	web_raw(b, "<thead><tr>");
	for (size_t i = 0; i < ncols; i++) {
		web_raw(b, cols[i].numeric ? "<th scope=col class=num>" : "<th scope=col>");
		web_text(b, cols[i].label);
		web_raw(b, "</th>");
	}
	web_raw(b, "</tr></thead><tbody>");
}

void web_table_end(struct web_buf *b)
{
	web_raw(b, "</tbody></table>");
}

void web_tr_begin(struct web_buf *b)
{
	web_raw(b, "<tr>");
}

void web_tr_end(struct web_buf *b)
{
	web_raw(b, "</tr>");
}

void web_td(struct web_buf *b, const char *text, bool num)
{
	web_raw(b, num ? "<td class=num>" : "<td>");
	web_text(b, text);
	web_raw(b, "</td>");
}

void web_th_row(struct web_buf *b, const char *text)
{
	web_raw(b, "<th scope=row>");
	web_text(b, text);
	web_raw(b, "</th>");
}

void web_link(struct web_buf *b, const char *href, const char *text)
{
	web_raw(b, "<a href=\"");
	web_attr(b, href);
	web_raw(b, "\">");
	web_text(b, text);
	web_raw(b, "</a>");
}

void web_td_link(struct web_buf *b, const char *href, const char *text, bool num)
{
	web_raw(b, num ? "<td class=num>" : "<td>");
	web_link(b, href, text);
	web_raw(b, "</td>");
}

void web_form_begin(struct web_buf *b, const char *method, const char *action, const char *csrf)
{
	bool post = strcmp(method, "post") == 0;
	web_raw(b, post ? "<form class=inline method=post action=\""
	                : "<form class=inline method=get action=\"");
	web_attr(b, action);
	web_raw(b, "\">");
	if (post && csrf) {
		web_raw(b, "<input type=hidden name=\"" WEB_CSRF_FIELD "\" value=\"");
		web_attr(b, csrf);
		web_raw(b, "\">");
	}
}

void web_field(struct web_buf *b, const char *id, const char *label, const char *type,
               const char *value, bool required)
{
	web_raw(b, "<div><label for=\"");
	web_attr(b, id);
	web_raw(b, "\">");
	web_text(b, label);
	web_raw(b, "</label><input id=\"");
	web_attr(b, id);
	web_raw(b, "\" name=\"");
	web_attr(b, id);
	web_raw(b, "\" type=\"");
	web_attr(b, type);
	web_raw(b, "\"");
	if (value) {
		web_raw(b, " value=\"");
		web_attr(b, value);
		web_raw(b, "\"");
	}
	web_raw(b, required ? " required></div>" : "></div>");
}

void web_form_end(struct web_buf *b, const char *submit_label)
{
	web_raw(b, "<div><button type=submit>");
	web_text(b, submit_label);
	web_raw(b, "</button></div></form>");
}
