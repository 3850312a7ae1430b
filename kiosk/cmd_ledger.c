/*
 * cmd_ledger.c — `wufei-kiosk ledger init PATH --kiosk N`, `ledger verify
 * PATH`, `ledger dump PATH`, `ledger conflicts PATH`, `ledger status PATH`.
 * verify checks the records and every table that restates them
 * (ledger_verify), and says when receipt signatures could not be checked.
 * Exit status: 0 ok, 1 failure or problems found, 2 usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain.h"
#include "hex.h"
#include "commands.h"
#include "ledger.h"
#include "record.h"
#include "wf.h"

static int usage(void)
{
	fputs("usage: wufei-kiosk ledger init PATH --kiosk N\n"
	      "       wufei-kiosk ledger verify PATH\n"
	      "       wufei-kiosk ledger dump PATH\n"
	      "       wufei-kiosk ledger conflicts PATH\n"
	      "       wufei-kiosk ledger status PATH\n",
	      stderr);
	return 2;
}

static bool parse_kiosk(const char *s, uint32_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end || end == s || v < 1 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int cmd_init(int argc, char **argv)
{
	const char *path = NULL;
	uint32_t kiosk = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--kiosk") == 0 && i + 1 < argc) {
			if (!parse_kiosk(argv[++i], &kiosk)) {
				fprintf(stderr,
				        "wufei-kiosk ledger init: --kiosk must be 1..%" PRIu32 "\n",
				        UINT32_MAX);
				return 2;
			}
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			return usage();
		}
	}
	if (!path || kiosk == 0)
		return usage();
	char err[LEDGER_ERRMSG_MAX];
	int r = ledger_init(path, kiosk, err, sizeof err);
	if (r) {
		fprintf(stderr, "wufei-kiosk ledger init: %s\n", err);
		return 1;
	}
	printf("created journal %s for kiosk %" PRIu32 "\n", path, kiosk);
	return 0;
}

static void print_problem(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
}

static int cmd_verify(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	char err[LEDGER_ERRMSG_MAX];
	struct ledger_verify_stats st;
	int n = ledger_verify_with_stats(argv[2], print_problem, NULL, &st, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "wufei-kiosk ledger verify: %s\n", err);
		return 1;
	}
	if (n == 0)
		printf("ok\n");
	if (st.receipts > 0 && !st.signatures)
		printf("%" PRIu64
		       " receipt signatures not checked: the journal holds no receipt key\n",
		       st.receipts);
	if (n == 0)
		return 0;
	printf("%d problem%s found\n", n, n == 1 ? "" : "s");
	return 1;
}

static void set_hex(json_t *o, const char *key, const uint8_t h[WF_HASH_BYTES])
{
	char hex[WF_HASH_HEX];
	hex_encode(h, WF_HASH_BYTES, hex, WF_HASH_HEX);
	json_object_set_new(o, key, json_string(hex));
}

static void add_body(json_t *o, const struct wf_record *r)
{
	switch (r->kind) {
	case WF_RECORD_DROP:
		json_object_set_new(o, "category", json_integer(r->drop.category_id));
		json_object_set_new(o, "unit", json_string(r->drop.unit == 1 ? "g" : "piece"));
		json_object_set_new(o, "qty", json_integer(r->drop.qty));
		json_object_set_new(o, "credited_qty", json_integer(r->drop.credited_qty));
		json_object_set_new(o, "points", json_integer(r->drop.points));
		json_object_set_new(o, "rate_version", json_integer(r->drop.rate_version));
		json_object_set_new(o, "anonymous",
		                    json_boolean(r->drop.flags & WF_DROP_ANONYMOUS));
		json_object_set_new(o, "capped", json_boolean(r->drop.flags & WF_DROP_CAPPED));
		json_object_set_new(o, "resident", json_integer((json_int_t)r->drop.resident_id));
		set_hex(o, "card_hash", r->drop.card_hash);
		json_object_set_new(o, "local_day", json_integer(r->drop.local_day));
		break;
	case WF_RECORD_BIN:
		json_object_set_new(o, "category", json_integer(r->bin.category_id));
		json_object_set_new(o, "grams", json_integer(r->bin.grams));
		json_object_set_new(o, "staff", json_integer((json_int_t)r->bin.staff_id));
		break;
	case WF_RECORD_STAFF:
		json_object_set_new(o, "staff", json_integer((json_int_t)r->staff.staff_id));
		json_object_set_new(o, "action", json_integer(r->staff.action));
		json_object_set_new(o, "value", json_integer(r->staff.value));
		json_object_set_new(o, "text", json_string(r->staff.text));
		break;
	case WF_RECORD_DAY_CLOSE:
		json_object_set_new(o, "local_day", json_integer(r->day_close.local_day));
		json_object_set_new(o, "drops", json_integer(r->day_close.drops));
		json_object_set_new(o, "grams", json_integer(r->day_close.grams));
		json_object_set_new(o, "pieces", json_integer(r->day_close.pieces));
		json_object_set_new(o, "points", json_integer(r->day_close.points));
		break;
	case WF_RECORD_CHECKPOINT:
		json_object_set_new(o, "upto_seq",
		                    json_integer((json_int_t)r->checkpoint.upto_seq));
		set_hex(o, "upto_hash", r->checkpoint.hash);
		break;
	case WF_RECORD_EPOCH:
		json_object_set_new(o, "epoch", json_integer(r->epoch.epoch));
		json_object_set_new(
		    o, "reason", json_string(r->epoch.reason == WF_EPOCH_NEW ? "new" : "restored"));
		json_object_set_new(o, "after_seq", json_integer((json_int_t)r->epoch.after_seq));
		set_hex(o, "after_hash", r->epoch.hash);
		break;
	default: break;
	}
}

/* ctx: NULL = every record; else a long counting the conflicts shown. */
static int dump_one(void *ctx, const struct ledger_entry *e)
{
	long *conflicts = ctx;
	if (conflicts && !e->conflict)
		return 0;
	if (conflicts)
		++*conflicts;
	json_t *o = json_object();
	struct wf_record r;
	char why[96];
	if (!o)
		return WF_ENOMEM;
	json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
	if (wf_record_decode(e->bytes, e->len, &r, why, sizeof why) == WF_OK) {
		json_object_set_new(o, "kind", json_string(wf_record_kind_name(r.kind)));
		json_object_set_new(o, "kiosk", json_integer(r.kiosk));
		json_object_set_new(o, "time_ms", json_integer(r.time_ms));
		add_body(o, &r);
	} else {
		json_object_set_new(o, "kind", json_string("undecodable"));
		json_object_set_new(o, "error", json_string(why));
	}
	if (e->token)
		json_object_set_new(o, "receipt", json_string(e->token));
	json_object_set_new(o, "acked", json_boolean(e->acked));
	if (e->conflict)
		json_object_set_new(o, "conflict", json_true());
	set_hex(o, "hash", e->hash);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return WF_ENOMEM;
	printf("%s\n", text);
	free(text);
	return 0;
}

/* dump: every record; conflicts: those central holds with other bytes. */
static int cmd_dump(int argc, char **argv, bool only_conflicts)
{
	if (argc != 3)
		return usage();
	char err[LEDGER_ERRMSG_MAX];
	struct ledger *l = NULL;
	if (ledger_open(argv[2], &l, err, sizeof err)) {
		fprintf(stderr, "wufei-kiosk ledger %s: %s\n", argv[1], err);
		return 1;
	}
	long conflicts = 0;
	int r = ledger_each(l, dump_one, only_conflicts ? &conflicts : NULL);
	if (r)
		fprintf(stderr, "wufei-kiosk ledger %s: %s\n", argv[1],
		        ledger_errmsg(l)[0] ? ledger_errmsg(l) : wf_strerror(r));
	else if (only_conflicts)
		fprintf(stderr,
		        "%ld record(s) central holds with other bytes (its copy is kept; see "
		        "wufei-central alerts list)\n",
		        conflicts);
	ledger_close(l);
	return r ? 1 : 0;
}

/* status: the journal at a glance, for a technician. */
static int cmd_status(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	char err[LEDGER_ERRMSG_MAX];
	struct ledger *l = NULL;
	if (ledger_open(argv[2], &l, err, sizeof err)) {
		fprintf(stderr, "wufei-kiosk ledger status: %s\n", err);
		return 1;
	}
	struct ledger_status st;
	int r = ledger_status(l, &st);
	if (r) {
		fprintf(stderr, "wufei-kiosk ledger status: %s\n", ledger_errmsg(l));
		ledger_close(l);
		return 1;
	}
	ledger_close(l);
	printf("kiosk %" PRIu32 "\n"
	       "last seq %" PRIu64 "\n"
	       "outbox %" PRId64 " (records central has not acknowledged)\n"
	       "conflicts %" PRId64 " (central holds other bytes: ledger conflicts)\n"
	       "pruned up to seq %" PRId64 "\n",
	       st.kiosk, st.last_seq, st.outbox, st.conflicts, st.pruned_upto);
	if (st.mark_seq)
		printf("high-water mark seq %" PRIu64 "%s\n", st.mark_seq,
		       st.mark_seq > st.last_seq
		           ? " (ahead of the journal: restored? the kiosk continues after it)"
		           : "");
	else
		printf("high-water mark none\n");
	return 0;
}

int cmd_ledger(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc, argv);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc, argv, false);
	if (strcmp(argv[1], "conflicts") == 0)
		return cmd_dump(argc, argv, true);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc, argv);
	return usage();
}
