/*
 * cmd_kiosk.c — `wufei-central kiosk add|add-key|revoke-key|tz|list`: kiosks
 * enrolled with their public keys (docs/SYNC-API.md "Keys, key ids and
 * revocation") and time zones, and what central holds of each.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "receipt.h"
#include "signing.h"
#include "tz.h"

static int print_kiosk(void *ctx, const struct store_kiosk_info *k)
{
	struct store *s = ctx;
	struct store_kiosk_place place = {.time_zone = "?"};
	s->ops->kiosk_place(s, k->kiosk, &place); /* its time zone, or "?" */
	/* the version and devices are the kiosk's words: escaped for the terminal */
	char name[4 * sizeof k->name], ver[4 * sizeof k->software_version],
	    devs[4 * sizeof k->devices];
	cli_term_escape(k->name, name, sizeof name);
	cli_term_escape(k->software_version, ver, sizeof ver);
	cli_term_escape(k->devices, devs, sizeof devs);
	printf("kiosk %" PRIu32 "\t%s\t%s\theld %" PRId64 " records up to seq %" PRIu32, k->kiosk,
	       name, place.time_zone, k->records, k->highest_seq);
	if (k->heartbeat_s)
		printf("\theartbeat %" PRId64 ": last_seq %" PRIu32 " outbox %" PRIu32
		       " version %s devices %s\n",
		       k->heartbeat_s, k->last_seq, k->outbox_depth, ver, devs);
	else
		printf("\tno heartbeat yet\n");
	return 0;
}

static int kiosk_list(const struct cli_opts *o)
{
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	return cli_finish(s, s->ops->kiosk_list(s, print_kiosk, s), "kiosk list");
}

/* add (kiosk, time zone and key), add-key or revoke-key, in one transaction. */
static int kiosk_write(struct store *s, const char *sub, uint32_t number, const char *name,
                       const char *tz, uint32_t key_id, const uint8_t pk[32])
{
	int64_t now = (int64_t)time(NULL);
	int err = s->ops->begin(s);
	if (!err && strcmp(sub, "add") == 0)
		err = s->ops->kiosk_add(s, number, name, now);
	if (!err && tz)
		err = s->ops->kiosk_tz_set(s, number, tz);
	if (!err && pk)
		err = s->ops->key_add(s, number, key_id, pk, now);
	if (!err && !pk)
		err = s->ops->key_revoke(s, number, key_id, now);
	if (!err)
		err = s->ops->commit(s);
	if (err)
		s->ops->rollback(s);
	return err;
}

/* The public key of --pubkey into pk. Returns 0, or the exit status. */
static int read_pubkey(const struct cli_opts *o, uint8_t pk[32])
{
	char why[256];
	const char *pub = cli_opt(o, "pubkey");
	if (!pub) {
		fputs("wufei-central: --pubkey FILE is required\n", stderr);
		return 2;
	}
	if (signing_keyfile_read_public(pub, pk, why, sizeof why) != WF_OK) {
		fprintf(stderr, "wufei-central: %s: %s\n", pub, why);
		return 1;
	}
	return 0;
}

/* `kiosk tz NUMBER ZONE`: the zone the kiosk's receipt pages show times in. */
static int kiosk_tz(const struct cli_opts *o)
{
	int64_t number = 0;
	if (o->npos != 3 || cli_pos_int(o->pos[1], 1, RECEIPT_KIOSK_MAX, &number) != WF_OK) {
		cli_usage(stderr);
		return 2;
	}
	if (!tz_known(o->pos[2])) {
		fprintf(stderr,
		        "wufei-central: '%s' is not a time zone this system knows (e.g. "
		        "Asia/Shanghai)\n",
		        o->pos[2]);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int rc = cli_finish_audited(s, s->ops->kiosk_tz_set(s, (uint32_t)number, o->pos[2]),
	                            "kiosk tz", "kiosk_tz", "%" PRId64 ": %s", number, o->pos[2]);
	if (!rc)
		printf("kiosk %" PRId64 ": time zone %s\n", number, o->pos[2]);
	return rc;
}

int cmd_kiosk(const struct cli_opts *o)
{
	if (o->npos == 1 && strcmp(o->pos[0], "list") == 0)
		return kiosk_list(o);
	if (o->npos > 0 && strcmp(o->pos[0], "tz") == 0)
		return kiosk_tz(o);
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	int64_t number = 0, key_id = 1;
	uint8_t pk[32];
	bool adding = strcmp(sub, "add") == 0 || strcmp(sub, "add-key") == 0;
	if (o->npos != 2 || cli_pos_int(o->pos[1], 1, RECEIPT_KIOSK_MAX, &number) != WF_OK ||
	    (!adding && strcmp(sub, "revoke-key") != 0)) {
		cli_usage(stderr);
		return 2;
	}
	if (cli_opt_int(o, "key-id", 1, SIGNING_KEY_ID_MAX, &key_id, strcmp(sub, "add") != 0) !=
	    WF_OK)
		return 2;
	const char *tz = strcmp(sub, "add") == 0 ? cli_opt(o, "tz") : NULL;
	if (tz && !tz_known(tz)) {
		fprintf(stderr, "wufei-central: --tz '%s' is not a time zone this system knows\n",
		        tz);
		return 2;
	}
	int rc = adding ? read_pubkey(o, pk) : 0;
	if (rc)
		return rc;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int err = kiosk_write(s, sub, (uint32_t)number, cli_opt(o, "name"), tz, (uint32_t)key_id,
	                      adding ? pk : NULL);
	if (err)
		fprintf(stderr, "wufei-central: kiosk %s %" PRId64 ": %s (%s)\n", sub, number,
		        wf_strerror(err), store_errmsg(s));
	else
		printf("kiosk %" PRId64 ": %s key %" PRId64 "\n", number,
		       adding ? "added" : "revoked", key_id);
	if (err) {
		store_close(s);
		return 1;
	}
	char action[24];
	snprintf(action, sizeof action, "kiosk_%s", sub);
	for (char *c = action; *c; c++)
		*c = *c == '-' ? '_' : *c;
	return cli_finish_audited(s, 0, "kiosk", action, "%" PRId64 ": key %" PRId64 "%s%s", number,
	                          key_id, tz ? ", time zone " : "", tz ? tz : "");
}
