/*
 * cmd_receipt.c — `wufei-central verify-receipt TOKEN_OR_URL`: what a
 * receipt says and whether central finds it genuine (rcheck.h). The exit
 * status is the verdict: 0 genuine, 1 forged, tampered or malformed, 3
 * unknown kiosk or key, 4 signed by a revoked key after its revocation, 5
 * genuine signature but different from the kiosk's journal record.
 * And `wufei-central receipt claim TOKEN_OR_URL --resident ID [--by NAME]`:
 * the receipt's points onto a resident, within its daily limit (exit 0
 * claimed, 1 not: the message says why, e.g. "pending, try later").
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "points.h"
#include "rcheck.h"

static void print_receipt(const struct rcheck_result *res)
{
	time_t t = (time_t)res->r.time_min * 60;
	struct tm tm;
	char when[40] = "?";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%MZ", &tm);
	printf("kiosk %" PRIu32 "\nkey_id %u\nseq %" PRIu32 "\ntime %s\ncategory %u\n"
	       "quantity %" PRIu32 " %s\npoints %" PRIu32 "\nflags 0x%02x\n",
	       res->r.kiosk, (unsigned)res->r.key_id, res->r.seq, when, (unsigned)res->r.category,
	       res->r.qty, (res->r.flags & RECEIPT_FLAG_PIECES) ? "pieces" : "g", res->r.points,
	       (unsigned)res->r.flags);
	if (res->verdict == RCHECK_GENUINE || res->verdict == RCHECK_MISMATCH)
		printf("journal %s\n",
		       res->record_held ? "record held by central" : "record not synced yet");
	if (res->verdict == RCHECK_GENUINE)
		printf("claimed %s\n", res->claimed ? "yes" : "no");
	if (res->key_revoked_s)
		printf("key revoked at %" PRId64 "%s\n", res->key_revoked_s,
		       res->verdict == RCHECK_GENUINE ? " (receipt signed before that)" : "");
}

int cmd_verify_receipt(const struct cli_opts *o)
{
	struct rcheck_result res;
	if (o->npos != 1) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int rc = rcheck_token(s, o->pos[0], &res);
	store_close(s);
	if (rc) {
		fprintf(stderr, "wufei-central: storage failed: %s\n", wf_strerror(rc));
		return 1;
	}
	if (res.verdict != RCHECK_MALFORMED)
		print_receipt(&res);
	printf("verdict: %s\n", rcheck_verdict_text(res.verdict));
	switch (res.verdict) {
	case RCHECK_GENUINE: return 0;
	case RCHECK_UNKNOWN_KIOSK:
	case RCHECK_UNKNOWN_KEY: return 3;
	case RCHECK_REVOKED_KEY: return 4;
	case RCHECK_MISMATCH: return 5;
	default: return 1;
	}
}

/* What a granted claim moved, and whether the daily limit cut it. */
static void print_claim(const struct rcheck_claim_result *res)
{
	const struct store_claim *c = &res->claim;
	printf("claimed: kiosk %" PRIu32 " seq %" PRIu32 " onto resident %" PRId64 ": %" PRId64
	       " points; balance %" PRId64 "\n",
	       c->kiosk, c->seq, c->resident, c->points, res->balance);
	if (c->qty < res->drop_qty)
		printf("limited: only %" PRId64 " of %" PRId64 " fit the daily limit of %" PRId64
		       " (already %" PRId64 " that day): %" PRId64 " of %" PRId64 " points\n",
		       c->qty, res->drop_qty, res->daily_limit, res->used_before, c->points,
		       res->drop_points);
}

static int receipt_claim(struct store *s, const struct cli_opts *o)
{
	int64_t resident = 0;
	char by[STORE_POINTS_ACTOR_MAX];
	if (o->npos != 2 || cli_opt_int(o, "resident", 1, INT64_MAX, &resident, true) != WF_OK ||
	    cli_opt_text(o, "by", by, sizeof by, false) != WF_OK) {
		store_close(s);
		cli_usage(stderr);
		return 2;
	}
	if (!by[0])
		snprintf(by, sizeof by, "cli");
	struct rcheck_claim_result res;
	int rc = rcheck_claim(s, o->pos[1], resident, by, (int64_t)time(NULL), &res);
	if (rc)
		return cli_finish(s, rc, "receipt claim");
	if (res.status == RCHECK_CLAIMED) {
		print_claim(&res);
		return cli_finish_audited(s, 0, "receipt claim", "receipt_claim",
		                          "kiosk %" PRIu32 " seq %" PRIu32 " onto resident %" PRId64
		                          ": %" PRId64 " points (by %s)",
		                          res.claim.kiosk, res.claim.seq, res.claim.resident,
		                          res.claim.points, by);
	}
	store_close(s);
	fprintf(stderr, "wufei-central: receipt claim refused: %s\n",
	        res.status == RCHECK_NOT_GENUINE ? rcheck_verdict_text(res.check.verdict)
	                                         : rcheck_claim_text(res.status));
	if (res.status == RCHECK_ALREADY_CLAIMED)
		fprintf(stderr,
		        "  claimed at %" PRId64 " onto resident %" PRId64 " (%" PRId64 " points)\n",
		        res.claim.claimed_s, res.claim.resident, res.claim.points);
	return 1;
}

int cmd_receipt(const struct cli_opts *o)
{
	if (o->npos < 1 || strcmp(o->pos[0], "claim") != 0) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	return s ? receipt_claim(s, o) : 1;
}
