/*
 * cmd_points.c — a resident's points at the office's terminal: `wufei-central
 * points redeem|adjust|history|check` (points.h has the rules, store.h the
 * ledger). Redeeming takes an idempotency key, so running the same command
 * again never spends twice; `check` proves every running total equals the
 * sum of its resident's entries (exit 1 when one does not).
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "points.h"

/* The actor of a command: --by NAME, else "cli". */
static int actor_of(const struct cli_opts *o, char out[STORE_POINTS_ACTOR_MAX])
{
	if (cli_opt_text(o, "by", out, STORE_POINTS_ACTOR_MAX, false) != WF_OK)
		return WF_EINVAL;
	if (!out[0])
		snprintf(out, STORE_POINTS_ACTOR_MAX, "cli");
	if (!points_text_ok(out, STORE_POINTS_ACTOR_MAX, false)) {
		fputs("wufei-central: --by must be printable text\n", stderr);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* What came of a redemption or adjustment (action: its audit line's, only
 * when it changed something); the exit status. */
static int points_report(struct store *s, int rc, const struct points_result *r, const char *what,
                         const char *action)
{
	if (rc)
		return cli_finish(s, rc, what);
	if (r->outcome == POINTS_DONE || r->outcome == POINTS_REPEAT) {
		printf("%s: %+" PRId64 " points for resident %" PRId64 " (entry %" PRId64
		       "%s); balance %" PRId64 "\n",
		       what, r->entry.points, r->entry.resident, r->entry.id,
		       r->outcome == POINTS_REPEAT ? ", done before with this key" : "",
		       r->balance);
		if (r->outcome == POINTS_REPEAT)
			return cli_finish(s, 0, what);
		return cli_finish_audited(
		    s, 0, what, action,
		    "resident %" PRId64 ": %+" PRId64 " points (entry %" PRId64 ", by %s): %s",
		    r->entry.resident, r->entry.points, r->entry.id, r->entry.actor,
		    r->entry.key[0] ? r->entry.key : r->entry.reason);
	}
	store_close(s);
	fprintf(stderr, "wufei-central: %s refused: %s", what, points_outcome_text(r->outcome));
	if (r->outcome == POINTS_INSUFFICIENT)
		fprintf(stderr, " (balance %" PRId64 ")", r->balance);
	fputc('\n', stderr);
	return 1;
}

static int points_redeem_cmd(struct store *s, const struct cli_opts *o)
{
	int64_t resident = 0, points = 0;
	char key[STORE_POINTS_KEY_MAX], by[STORE_POINTS_ACTOR_MAX];
	if (cli_opt_int(o, "resident", 1, INT64_MAX, &resident, true) != WF_OK ||
	    cli_opt_int(o, "points", 1, POINTS_MAX, &points, true) != WF_OK ||
	    cli_opt_text(o, "key", key, sizeof key, true) != WF_OK || !points_key_ok(key) ||
	    cli_opt_text(o, "by", by, sizeof by, true) != WF_OK || actor_of(o, by) != WF_OK) {
		fputs("wufei-central: points redeem needs --resident ID --points N --key KEY (1-64 "
		      "of A-Z a-z 0-9 . _ : -) --by NAME\n",
		      stderr);
		store_close(s);
		return 2;
	}
	struct points_result r;
	int rc = points_redeem(s, resident, points, key, by, (int64_t)time(NULL), &r);
	return points_report(s, rc, &r, "points redeem", "points_redeem");
}

static int points_adjust_cmd(struct store *s, const struct cli_opts *o)
{
	int64_t resident = 0, points = 0;
	char reason[STORE_POINTS_REASON_MAX], by[STORE_POINTS_ACTOR_MAX];
	if (cli_opt_int(o, "resident", 1, INT64_MAX, &resident, true) != WF_OK ||
	    cli_opt_int(o, "points", -POINTS_MAX, POINTS_MAX, &points, true) != WF_OK ||
	    points == 0 || cli_opt_text(o, "reason", reason, sizeof reason, true) != WF_OK ||
	    !points_text_ok(reason, sizeof reason, false) || actor_of(o, by) != WF_OK) {
		fputs("wufei-central: points adjust needs --resident ID --points ±N (not 0) "
		      "--reason TEXT [--by NAME]\n",
		      stderr);
		store_close(s);
		return 2;
	}
	struct points_result r;
	int rc = points_adjust(s, resident, points, reason, by, (int64_t)time(NULL), &r);
	return points_report(s, rc, &r, "points adjust", "points_adjust");
}

static int print_entry(void *ctx, const struct store_points_entry *e)
{
	(void)ctx;
	time_t t = (time_t)e->at_s;
	struct tm tm;
	char when[32] = "?", source[32] = "-";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (e->kiosk)
		snprintf(source, sizeof source, "%" PRIu32 "/%" PRIu32, e->kiosk, e->seq);
	printf("%" PRId64 "\t%s\t%s\t%+" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\n", e->id, when,
	       store_points_kind_name(e->kind), e->points, e->balance_after, source, e->actor,
	       e->key[0] ? e->key : e->reason);
	return 0;
}

static int print_mismatch(void *ctx, int64_t resident, int64_t total, int64_t sum)
{
	int64_t *bad = ctx;
	(*bad)++;
	printf("resident %" PRId64 ": running total %" PRId64 ", sum of entries %" PRId64 "\n",
	       resident, total, sum);
	return 0;
}

static int points_check_cmd(struct store *s)
{
	int64_t bad = 0, residents = 0;
	int rc = s->ops->points_check(s, print_mismatch, &bad, &residents);
	if (rc)
		return cli_finish(s, rc, "points check");
	store_close(s);
	printf("points check: %" PRId64 " residents, %" PRId64 " with a running total that is "
	       "not the sum of their entries\n",
	       residents, bad);
	return bad ? 1 : 0;
}

int cmd_points(const struct cli_opts *o)
{
	const char *sub = o->npos == 1 ? o->pos[0] : "";
	int64_t resident = 0;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	if (strcmp(sub, "redeem") == 0)
		return points_redeem_cmd(s, o);
	if (strcmp(sub, "adjust") == 0)
		return points_adjust_cmd(s, o);
	if (strcmp(sub, "check") == 0)
		return points_check_cmd(s);
	if (strcmp(sub, "history") == 0 &&
	    cli_opt_int(o, "resident", 1, INT64_MAX, &resident, true) == WF_OK) {
		puts("entry\ttime\tkind\tpoints\tbalance\tkiosk/seq\tby\treason or key");
		return cli_finish(s, s->ops->points_history(s, resident, print_entry, NULL),
		                  "points history");
	}
	store_close(s);
	cli_usage(stderr);
	return 2;
}
