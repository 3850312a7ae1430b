/* cmd_alerts.c — `wufei-central alerts list`: every tamper alert, oldest first. */
#include <inttypes.h>
#include <string.h>

#include "commands.h"

static int print_alert(void *ctx, const struct store_alert *a)
{
	int *n = ctx;
	char detail[4 * sizeof a->detail + 1];
	(*n)++;
	cli_term_escape(a->detail, detail, sizeof detail); /* it may quote what a kiosk sent */
	printf("%" PRId64 "\tkiosk %" PRIu32 "\tseq %" PRIu32 "\t%s\t%" PRId64 "\t%s%s\n", a->id,
	       a->kiosk, a->seq, a->reason, a->received_s, detail,
	       a->bytes_len ? " (newcomer bytes kept)" : "");
	return 0;
}

int cmd_alerts(const struct cli_opts *o)
{
	int n = 0;
	if (o->npos != 1 || strcmp(o->pos[0], "list") != 0) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int rc = cli_finish(s, s->ops->alert_list(s, print_alert, &n), "alerts list");
	if (rc == 0)
		printf("%d alert(s)\n", n);
	return rc;
}
