/*
 * config_sound.c — [sound]: the feedback tones' volume. Its own file so
 * that the other sections' keys can change apart.
 */
#include "config_private.h"

#include <string.h>

void config_on_sound(struct loader *L, const char *key, const char *v)
{
	int64_t x;
	if (!strcmp(key, "volume")) {
		if (!config_parse_i64(v, 0, 100, &x))
			config_bad(L, "sound", key, v,
			           "must be a whole number 0..100 (0 = silent)");
		else
			L->cfg->volume = (unsigned)x;
	} else {
		config_bad(L, "sound", key, v, "unknown key");
	}
}

void config_print_sound(const struct kiosk_config *c, FILE *out)
{
	fprintf(out, "\n[sound]\nvolume = %u\n", c->volume);
}
