/*
 * cmd_receipt.c — `wufei-central verify-receipt TOKEN_OR_URL`: what a
 * receipt says and whether central finds it genuine (rcheck.h). The exit
 * status is the verdict: 0 genuine, 1 forged, tampered or malformed, 3
 * unknown kiosk or key, 4 signed by a revoked key after its revocation, 5
 * genuine signature but different from the kiosk's journal record.
 */
#include <inttypes.h>
#include <time.h>

#include "commands.h"
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
