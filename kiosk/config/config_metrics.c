/*
 * config_metrics.c — [metrics]: the Prometheus text file for
 * node-exporter's textfile collector (kiosk/metrics). Its own file so that
 * the other sections' keys can change apart.
 *
 *   textfile = PATH   absolute, ending in .prom (the collector reads only
 *                     *.prom); empty (the default): no file
 *   interval_s = N    written at most every N s, 1..15 (default 15)
 */
#include "config_private.h"

#include <string.h>

void config_on_metrics(struct loader *L, const char *key, const char *v)
{
	int64_t x;
	if (!strcmp(key, "textfile")) {
		size_t n = strlen(v);
		if (n == 0)
			L->cfg->metrics_textfile[0] = '\0';
		else if (v[0] != '/' || n < 6 || strcmp(v + n - 5, ".prom") != 0)
			config_bad(L, "metrics", key, v,
			           "must be an absolute path ending in .prom (node-exporter's "
			           "textfile collector reads only *.prom), or empty for none");
		else if (!config_copy_text(L->cfg->metrics_textfile,
		                           sizeof L->cfg->metrics_textfile, v))
			config_bad(L, "metrics", key, v, "path too long");
	} else if (!strcmp(key, "interval_s")) {
		if (!config_parse_i64(v, 1, 15, &x))
			config_bad(L, "metrics", key, v,
			           "must be a whole number of seconds 1..15 (Prometheus scrapes "
			           "every 15 s or more often)");
		else
			L->cfg->metrics_interval_s = (int)x;
	} else {
		config_bad(L, "metrics", key, v, "unknown key (textfile, interval_s)");
	}
}

void config_print_metrics(const struct kiosk_config *c, FILE *out)
{
	fprintf(out, "\n[metrics]\ntextfile = %s\ninterval_s = %d\n", c->metrics_textfile,
	        c->metrics_interval_s);
}
