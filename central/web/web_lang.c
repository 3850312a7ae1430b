/* web_lang.c — the cookie that keeps the language a person chose; see web.h. */
#include "web.h"

#include <stdio.h>

#include "i18n.h"

void web_lang_cookie(enum wf_lang lang, char *out, size_t cap)
{
	snprintf(out, cap, "wufei_lang=%s; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly",
	         wf_lang_code(lang));
}
