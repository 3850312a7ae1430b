/*
 * i18n.h — the words a person sees, in the language of the visit, through
 * GNU gettext.
 *
 * For: every string on the kiosk's screen and on the printed receipt. The
 * message ids are English (po/wufei.pot); po/zh_CN.po and po/en.po hold the
 * words, compiled by the build (msgfmt --check) into
 * LOCALEDIR/C.UTF-8/LC_MESSAGES/wufei-<lang>.mo. One text domain per language
 * ("wufei-zh_CN", "wufei-en"), looked up with dgettext in the C.UTF-8 locale:
 * so a visit can switch language with one tap, on one thread, while other
 * threads run, without changing the environment or the process's locale
 * (which gettext would need for one domain in two languages).
 *
 * Not for: log lines, the console, file formats (those stay English).
 *
 * xgettext finds the strings by the keywords wf_tr:2, wf_ntr:2,3 and N_.
 */
#ifndef WUFEI_I18N_H
#define WUFEI_I18N_H

#include <stddef.h>

#include "wf.h" /* enum wf_lang */

/* Marks a string for translation where it is defined (a table); wf_tr
 * translates it where it is used. */
#define N_(s) (s)

/*
 * wf_i18n_init — binds the text domains to localedir (NULL: $WUFEI_LOCALEDIR,
 * else the build's po/ output, else the installed LOCALEDIR) and selects the
 * C.UTF-8 locale for LC_MESSAGES. Checks that every language's catalogue is
 * there and translates; WF_OK, or WF_ENOENT with the reason in err. Call once
 * from main, before any thread starts.
 */
int wf_i18n_init(const char *localedir, char *err, size_t err_len);

/* wf_tr — msgid in lang (msgid itself when there is no translation). */
const char *wf_tr(enum wf_lang lang, const char *msgid);

/* wf_ntr — the plural form for n in lang ("%d piece"/"%d pieces"). */
const char *wf_ntr(enum wf_lang lang, const char *msgid, const char *plural, unsigned long n);

/* wf_lang_parse — "zh"/"zh_CN" or "en" into *out; false for anything else. */
int wf_lang_parse(const char *s, enum wf_lang *out);

/* wf_lang_code — "zh" or "en". */
const char *wf_lang_code(enum wf_lang lang);

/* wf_lang_name — the language's name in itself ("中文", "English"): what the
 * language switch shows. */
const char *wf_lang_name(enum wf_lang lang);

#endif
