/* i18n.c — gettext, one text domain per language; see i18n.h. */
#include "i18n.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wf.h"

static const char *const domains[WF_LANG_COUNT] = {"wufei-zh_CN", "wufei-en"};

/* A string every catalogue must translate (the programme's name): proves the
 * catalogue was found and read. */
static const char *const probe_id = N_("Wufei");
static const char *const probe_want[WF_LANG_COUNT] = {"无废", "Wufei"};

static const char *default_dir(void)
{
	const char *env = getenv("WUFEI_LOCALEDIR");
	if (env && env[0])
		return env;
#ifdef WUFEI_BUILD_LOCALEDIR
	struct stat st;
	if (stat(WUFEI_BUILD_LOCALEDIR, &st) == 0)
		return WUFEI_BUILD_LOCALEDIR;
#endif
	return WUFEI_LOCALEDIR;
}

int wf_i18n_init(const char *localedir, char *err, size_t err_len)
{
	const char *dir = localedir && localedir[0] ? localedir : default_dir();
	if (!setlocale(LC_MESSAGES, "C.UTF-8")) {
		snprintf(err, err_len,
		         "the C.UTF-8 locale is missing (glibc 2.35 or newer has it)");
		return WF_ENOENT;
	}
	for (int i = 0; i < WF_LANG_COUNT; i++) {
		if (!bindtextdomain(domains[i], dir) ||
		    !bind_textdomain_codeset(domains[i], "UTF-8")) {
			snprintf(err, err_len, "gettext: cannot bind %s to %s", domains[i], dir);
			return WF_ENOENT;
		}
		if (strcmp(dgettext(domains[i], probe_id), probe_want[i]) != 0) {
			snprintf(err, err_len,
			         "no %s translations in %s/C.UTF-8/LC_MESSAGES/%s.mo "
			         "(set WUFEI_LOCALEDIR to the folder the build wrote)",
			         wf_lang_code((enum wf_lang)i), dir, domains[i]);
			return WF_ENOENT;
		}
	}
	return WF_OK;
}

const char *wf_tr(enum wf_lang lang, const char *msgid)
{
	if ((unsigned)lang >= WF_LANG_COUNT || !msgid || !msgid[0])
		return msgid ? msgid : "";
	return dgettext(domains[lang], msgid);
}

const char *wf_ntr(enum wf_lang lang, const char *msgid, const char *plural, unsigned long n)
{
	if ((unsigned)lang >= WF_LANG_COUNT)
		return n == 1 ? msgid : plural;
	return dngettext(domains[lang], msgid, plural, n);
}

int wf_lang_parse(const char *s, enum wf_lang *out)
{
	if (!s)
		return 0;
	if (!strcmp(s, "zh") || !strcmp(s, "zh_CN") || !strcmp(s, "zh-CN")) {
		*out = WF_LANG_ZH;
		return 1;
	}
	if (!strcmp(s, "en")) {
		*out = WF_LANG_EN;
		return 1;
	}
	return 0;
}

const char *wf_lang_code(enum wf_lang lang)
{
	return lang == WF_LANG_EN ? "en" : "zh";
}

const char *wf_lang_name(enum wf_lang lang)
{
	return lang == WF_LANG_EN ? "English" : "中文";
}
