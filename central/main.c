/*
 * main.c — wufei-central: `serve` and the office command line. Wires the
 * store, the HTTP server and the receipt checks; the only file that prints
 * and exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cardid_hash.h"
#include "hex.h"
#include "rcheck.h"
#include "receipt.h"
#include "server.h"
#include "signing.h"
#include "store.h"
#include "wf.h"

#define MAX_OPTS 16

struct opts {
	const char *name[MAX_OPTS];
	const char *value[MAX_OPTS];
	int n;
	const char *pos[MAX_OPTS];
	int npos;
};

static void usage(FILE *f)
{
	fputs(
	    "usage: wufei-central serve --db sqlite:PATH --listen ADDR:PORT [--threads N]\n"
	    "         [--tls-cert PEM --tls-key PEM]   (HTTPS; else plain HTTP)\n"
	    "         tests only: [--time-offset S] [--crash-at before-commit|after-commit"
	    " [--crash-every N]]\n"
	    "       wufei-central kiosk add NUMBER --pubkey FILE [--key-id N] [--name NAME] --db "
	    "URL\n"
	    "       wufei-central kiosk add-key NUMBER --pubkey FILE --key-id N --db URL\n"
	    "       wufei-central kiosk revoke-key NUMBER --key-id N --db URL\n"
	    "       wufei-central kiosk list --db URL   (journal held, last heartbeat, devices)\n"
	    "       wufei-central verify-receipt TOKEN_OR_URL --db URL\n"
	    "       wufei-central resident add --id N (--card ID | --card-hash HEX) --name MASKED"
	    " [--points N] --db URL\n"
	    "       wufei-central resident list|block ID --reason TEXT|remove ID --db URL\n"
	    "       wufei-central rates set --id N --code CODE --name NAME --unit g|piece --rate R"
	    " --min G --max G [--daily-limit G] --db URL\n"
	    "       wufei-central rates list --db URL\n"
	    "       wufei-central staff add --id N (--card ID | --card-hash HEX) --name MASKED"
	    " --role staff|admin --pin DIGITS --db URL\n"
	    "       wufei-central staff list|remove ID --db URL\n"
	    "       wufei-central blocklist add (--card ID | --card-hash HEX) --reason TEXT --db "
	    "URL\n"
	    "verify-receipt exits 0 for a genuine receipt, 1 forged/tampered/malformed,\n"
	    "3 unknown kiosk or key, 4 signed by a revoked key after its revocation,\n"
	    "5 genuine signature but different from the kiosk's journal record.\n",
	    f);
}

/* Splits argv into --name value pairs and positionals. */
static int opts_parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (i + 1 >= argc || o->n >= MAX_OPTS) {
				fprintf(stderr, "wufei-central: %s needs a value\n", argv[i]);
				return -1;
			}
			o->name[o->n] = argv[i] + 2;
			o->value[o->n++] = argv[++i];
		} else if (o->npos < MAX_OPTS)
			o->pos[o->npos++] = argv[i];
		else
			return -1;
	}
	return 0;
}

static const char *opt(const struct opts *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return NULL;
}

static int opt_int(const struct opts *o, const char *name, int64_t min, int64_t max, int64_t *out,
                   int required)
{
	const char *v = opt(o, name);
	if (!v) {
		if (required)
			fprintf(stderr, "wufei-central: --%s is required\n", name);
		return required ? -1 : 0;
	}
	char *end = NULL;
	long long x = strtoll(v, &end, 10);
	if (!*v || !end || *end || x < min || x > max) {
		fprintf(stderr,
		        "wufei-central: --%s wants an integer in [%" PRId64 ", %" PRId64
		        "], got '%s'\n",
		        name, min, max, v);
		return -1;
	}
	*out = x;
	return 1;
}

static int pos_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	if (!v)
		return -1;
	long long x = strtoll(v, &end, 10);
	if (!*v || !end || *end || x < min || x > max) {
		fprintf(stderr,
		        "wufei-central: '%s' is not an integer in [%" PRId64 ", %" PRId64 "]\n", v,
		        min, max);
		return -1;
	}
	*out = x;
	return 0;
}

static struct store *open_db(const struct opts *o)
{
	char why[512];
	struct store *s = NULL;
	const char *db = opt(o, "db");
	if (!db) {
		fputs("wufei-central: --db sqlite:PATH is required\n", stderr);
		return NULL;
	}
	if (store_open(db, &s, why, sizeof why) != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", why);
		return NULL;
	}
	return s;
}

static void log_stderr(void *ctx, enum wf_log_level lvl, const char *msg)
{
	(void)ctx;
	static const char *const names[] = {"debug", "info", "warn", "error"};
	fprintf(stderr, "wufei-central: %s: %s\n", names[lvl], msg);
}

/* Reads a PEM file of at most 64 KiB into a NUL-terminated string; NULL with a message. */
static char *read_pem(const char *what, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "wufei-central: %s %s: %s\n", what, path, strerror(errno));
		return NULL;
	}
	enum { PEM_MAX = 65536 };
	char *buf = malloc(PEM_MAX + 1);
	size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	const char *why = !buf                           ? "out of memory"
	                  : bad                          ? "cannot be read"
	                  : n > PEM_MAX                  ? "is larger than 64 KiB"
	                  : n == 0                       ? "is empty"
	                  : memchr(buf, '\0', n) != NULL ? "is not PEM text"
	                                                 : NULL;
	if (!why) {
		buf[n] = '\0';
		if (!strstr(buf, "-----BEGIN "))
			why = "is not PEM (no -----BEGIN line)";
	}
	if (why) {
		fprintf(stderr, "wufei-central: %s %s %s\n", what, path, why);
		if (buf)
			sodium_memzero(buf, PEM_MAX + 1);
		free(buf);
		return NULL;
	}
	return buf;
}

static void free_secret(char *p)
{
	if (p)
		sodium_memzero(p, strlen(p));
	free(p);
}

static int cmd_serve(const struct opts *o)
{
	char why[512];
	int rc;
	int64_t threads = 0, offset = 0;
	struct server *srv = NULL;
	if (!opt(o, "listen")) {
		fputs("wufei-central: serve needs --listen ADDR:PORT\n", stderr);
		return 2;
	}
	int64_t crash_every = 0;
	const char *crash_at = opt(o, "crash-at");
	if (opt_int(o, "crash-every", 1, 1000000, &crash_every, 0) < 0 ||
	    (crash_at && strcmp(crash_at, "before-commit") && strcmp(crash_at, "after-commit"))) {
		fputs("wufei-central: --crash-at before-commit|after-commit [--crash-every N]\n",
		      stderr);
		return 2;
	}
	if (crash_at && crash_every == 0)
		crash_every = 1;
	if (opt_int(o, "threads", 1, 64, &threads, 0) < 0 ||
	    opt_int(o, "time-offset", -(INT64_C(1) << 40), INT64_C(1) << 40, &offset, 0) < 0)
		return 2;
	/* Block the signals first so every server thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	const char *cert_path = opt(o, "tls-cert"), *key_path = opt(o, "tls-key");
	if (!cert_path != !key_path) {
		fputs("wufei-central: --tls-cert and --tls-key go together\n", stderr);
		return 2;
	}
	char *cert = NULL, *key = NULL;
	if (cert_path) {
		cert = read_pem("--tls-cert", cert_path);
		key = cert ? read_pem("--tls-key", key_path) : NULL;
		if (!key) {
			free(cert);
			return 1;
		}
	}
	struct store *s = open_db(o);
	if (!s) {
		free(cert);
		free_secret(key);
		return 1;
	}
	struct server_config cfg = {.listen = opt(o, "listen"),
	                            .tls_cert_pem = cert,
	                            .tls_key_pem = key,
	                            .threads = (unsigned)threads,
	                            .time_offset_s = offset,
	                            .crash_every = crash_at ? (unsigned)crash_every : 0,
	                            .crash_after_commit =
	                                crash_at && strcmp(crash_at, "after-commit") == 0,
	                            .log = log_stderr};
	rc = server_start(s, &cfg, &srv, why, sizeof why);
	bool tls = cert != NULL;
	free(cert); /* server_start copied them */
	free_secret(key);
	if (rc != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", why);
		store_close(s);
		return 1;
	}
	const char *colon = strrchr(cfg.listen, ':');
	printf("wufei-central: listening on %s%.*s:%u\n", tls ? "https://" : "",
	       (int)(colon - cfg.listen), cfg.listen, (unsigned)server_port(srv));
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	server_stop(srv);
	store_close(s);
	return 0;
}

static int finish(struct store *s, int err, const char *what);

static int print_kiosk(void *ctx, const struct store_kiosk_info *k)
{
	(void)ctx;
	printf("kiosk %" PRIu32 "\t%s\theld %" PRId64 " records up to seq %" PRIu32, k->kiosk,
	       k->name, k->records, k->highest_seq);
	if (k->heartbeat_s)
		printf("\theartbeat %" PRId64 ": last_seq %" PRIu32 " outbox %" PRIu32
		       " version %s devices %s\n",
		       k->heartbeat_s, k->last_seq, k->outbox_depth, k->software_version,
		       k->devices);
	else
		printf("\tno heartbeat yet\n");
	return 0;
}

static int cmd_kiosk(const struct opts *o)
{
	if (o->npos == 1 && strcmp(o->pos[0], "list") == 0) {
		struct store *s = open_db(o);
		if (!s)
			return 1;
		return finish(s, s->ops->kiosk_list(s, print_kiosk, NULL), "kiosk list");
	}
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	int64_t number = 0, key_id = 1;
	uint8_t pk[32];
	char why[256];
	int rc = 1;
	if (o->npos != 2 || pos_int(o->pos[1], 1, RECEIPT_KIOSK_MAX, &number) < 0) {
		usage(stderr);
		return 2;
	}
	int need_key = strcmp(sub, "add") != 0;
	if (opt_int(o, "key-id", 1, SIGNING_KEY_ID_MAX, &key_id, need_key) < 0)
		return 2;
	int adding = strcmp(sub, "add") == 0 || strcmp(sub, "add-key") == 0;
	if (adding) {
		const char *pub = opt(o, "pubkey");
		if (!pub) {
			fputs("wufei-central: --pubkey FILE is required\n", stderr);
			return 2;
		}
		if (signing_keyfile_read_public(pub, pk, why, sizeof why) != WF_OK) {
			fprintf(stderr, "wufei-central: %s: %s\n", pub, why);
			return 1;
		}
	} else if (strcmp(sub, "revoke-key") != 0) {
		usage(stderr);
		return 2;
	}
	struct store *s = open_db(o);
	if (!s)
		return 1;
	int64_t now = (int64_t)time(NULL);
	int err = s->ops->begin(s);
	if (!err && strcmp(sub, "add") == 0)
		err = s->ops->kiosk_add(s, (uint32_t)number, opt(o, "name"), now);
	if (!err && adding)
		err = s->ops->key_add(s, (uint32_t)number, (uint32_t)key_id, pk, now);
	if (!err && !adding)
		err = s->ops->key_revoke(s, (uint32_t)number, (uint32_t)key_id, now);
	if (!err)
		err = s->ops->commit(s);
	if (err) {
		s->ops->rollback(s);
		fprintf(stderr, "wufei-central: kiosk %s %" PRId64 ": %s (%s)\n", sub, number,
		        wf_strerror(err), store_errmsg(s));
	} else {
		printf("kiosk %" PRId64 ": %s key %" PRId64 "\n", number,
		       adding ? "added" : "revoked", key_id);
		rc = 0;
	}
	store_close(s);
	return rc;
}

static int cmd_verify(const struct opts *o)
{
	struct rcheck_result res;
	if (o->npos != 1) {
		usage(stderr);
		return 2;
	}
	struct store *s = open_db(o);
	if (!s)
		return 1;
	int rc = rcheck_token(s, o->pos[0], &res);
	store_close(s);
	if (rc) {
		fprintf(stderr, "wufei-central: storage failed: %s\n", wf_strerror(rc));
		return 1;
	}
	if (res.verdict != RCHECK_MALFORMED) {
		time_t t = (time_t)res.r.time_min * 60;
		struct tm tm;
		char when[40] = "?";
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%dT%H:%MZ", &tm);
		printf("kiosk %" PRIu32 "\nkey_id %u\nseq %" PRIu32 "\ntime %s\ncategory %u\n"
		       "quantity %" PRIu32 " %s\npoints %" PRIu32 "\nflags 0x%02x\n",
		       res.r.kiosk, (unsigned)res.r.key_id, res.r.seq, when,
		       (unsigned)res.r.category, res.r.qty,
		       (res.r.flags & RECEIPT_FLAG_PIECES) ? "pieces" : "g", res.r.points,
		       (unsigned)res.r.flags);
		if (res.verdict == RCHECK_GENUINE || res.verdict == RCHECK_MISMATCH)
			printf("journal %s\n", res.record_held ? "record held by central"
			                                       : "record not synced yet");
		if (res.verdict == RCHECK_GENUINE)
			printf("claimed %s\n", res.claimed ? "yes" : "no");
		if (res.key_revoked_s)
			printf("key revoked at %" PRId64 "%s\n", res.key_revoked_s,
			       res.verdict == RCHECK_GENUINE ? " (receipt signed before that)"
			                                     : "");
	}
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

/*
 * Why --card was refused, and for an EM4100 card read as a reader's hex
 * (the form of earlier versions: em4100:0400E2E1F5) the id to use instead.
 * card is shown only when it is printable ASCII (it came from a person).
 */
static void card_id_refused(const char *card)
{
	bool printable = true;
	for (const char *c = card; *c; c++)
		printable = printable && *c > 0x20 && *c < 0x7f;
	fprintf(stderr, "wufei-central: --card %s is not a canonical card id\n",
	        printable ? card : "(unprintable)");
	if (strncmp(card, "em4100:", 7) != 0) {
		fputs("  a card id is TECHNOLOGY:NUMBER: a-z, 0-9 and '-', a colon, then the "
		      "number in digits or upper-case hex\n",
		      stderr);
		return;
	}
	fputs("  an EM4100 card id is the 10-digit number printed on the card, e.g. "
	      "em4100:0014868981\n",
	      stderr);
	const char *num = card + 7;
	size_t n = strlen(num);
	bool hex = n == 8 || n == 10;
	for (size_t i = 0; hex && i < n; i++)
		hex = (num[i] >= '0' && num[i] <= '9') || (num[i] >= 'A' && num[i] <= 'F') ||
		      (num[i] >= 'a' && num[i] <= 'f');
	char canon[CARDID_MAX];
	if (hex && cardid_em4100(strtoull(num, NULL, 16), canon, sizeof canon) == WF_OK)
		fprintf(stderr, "  read as the hex an RDM6300 sends, %s is %s\n", card, canon);
}

/* card hash from --card (canonical id, hashed with central's card key) or --card-hash */
static int card_hash_opt(struct store *s, const struct opts *o, char out[65])
{
	const char *card = opt(o, "card");
	const char *hex = opt(o, "card-hash");
	if (hex) {
		uint8_t b[32];
		if (hex_decode(hex, strlen(hex), b, 32) != WF_OK) {
			fputs("wufei-central: --card-hash wants 64 hex characters\n", stderr);
			return -1;
		}
		hex_encode(b, 32, out, 65);
		return 0;
	}
	if (!card || strchr(card, ':') == NULL || strlen(card) > 64) {
		fputs("wufei-central: --card TECH:NUMBER (e.g. em4100:0014868981) or --card-hash "
		      "HEX is required\n",
		      stderr);
		return -1;
	}
	if (!cardid_valid(card)) {
		card_id_refused(card);
		return -1;
	}
	uint8_t key[32], h[32];
	uint32_t version = 0;
	if (s->ops->card_key_get(s, &version, key) != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", store_errmsg(s));
		return -1;
	}
	int bad = cardid_hash(key, card, h);
	sodium_memzero(key, sizeof key);
	if (bad) {
		fprintf(stderr, "wufei-central: cannot hash the card id: %s\n", wf_strerror(bad));
		return -1;
	}
	hex_encode(h, 32, out, 65);
	return 0;
}

static int copy_opt(const struct opts *o, const char *name, char *out, size_t cap, int required)
{
	const char *v = opt(o, name);
	if (!v) {
		if (!required) {
			out[0] = '\0';
			return 0;
		}
		fprintf(stderr, "wufei-central: --%s is required\n", name);
		return -1;
	}
	if (strlen(v) >= cap) {
		fprintf(stderr, "wufei-central: --%s longer than %zu bytes\n", name, cap - 1);
		return -1;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int print_resident(void *ctx, const struct store_resident *r)
{
	(void)ctx;
	printf("%" PRId64 "\t%s\t%s\t%s\t%" PRId64 "\t%s\n", r->id, r->card_hash, r->name,
	       r->status, r->points_balance, r->block_reason);
	return 0;
}

static int print_staff(void *ctx, const struct store_staff *r)
{
	(void)ctx;
	printf("%" PRId64 "\t%s\t%s\t%s\n", r->id, r->card_hash, r->name, r->role);
	return 0;
}

static int print_category(void *ctx, const struct wf_category *c)
{
	(void)ctx;
	printf("category %u\t%s\t%s\t%s\tversion %" PRIu32 "\trate %" PRId64 "\tmin %" PRId64
	       "\tmax %" PRId64 "\tdaily_limit %" PRId64 "\n",
	       (unsigned)c->id, c->code, c->name, c->unit == WF_UNIT_PIECE ? "piece" : "g",
	       c->rate_version, c->rate, c->min_qty, c->max_qty, c->daily_limit_qty);
	return 0;
}

static int print_rate(void *ctx, const struct store_rate *r)
{
	(void)ctx;
	printf("rate\tcategory %u\tversion %" PRIu32 "\t%s\t%" PRId64 "\tsince %" PRId64 "\n",
	       (unsigned)r->category, r->version, r->unit == WF_UNIT_PIECE ? "piece" : "g", r->rate,
	       r->created_s);
	return 0;
}

static int finish(struct store *s, int err, const char *what)
{
	if (err)
		fprintf(stderr, "wufei-central: %s: %s (%s)\n", what, wf_strerror(err),
		        store_errmsg(s));
	store_close(s);
	return err ? 1 : 0;
}

static int cmd_resident(const struct opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	struct store *s = open_db(o);
	int64_t id = 0, points = 0;
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.resident = print_resident};
		return finish(s, s->ops->catalog_read(s, -1, &f, NULL), "resident list");
	}
	if (strcmp(sub, "add") == 0) {
		struct store_resident r;
		memset(&r, 0, sizeof r);
		if (opt_int(o, "id", 1, INT64_MAX, &id, 1) < 0 ||
		    opt_int(o, "points", 0, INT64_C(1) << 50, &points, 0) < 0 ||
		    card_hash_opt(s, o, r.card_hash) < 0 ||
		    copy_opt(o, "name", r.name, sizeof r.name, 1) < 0) {
			store_close(s);
			return 2;
		}
		r.id = id;
		r.points_balance = points;
		snprintf(r.status, sizeof r.status, "active");
		return finish(s, s->ops->resident_put(s, &r), "resident add");
	}
	if ((strcmp(sub, "block") == 0 || strcmp(sub, "remove") == 0) && o->npos == 2 &&
	    pos_int(o->pos[1], 1, INT64_MAX, &id) == 0) {
		if (sub[0] == 'b')
			return finish(s, s->ops->resident_block(s, id, opt(o, "reason")),
			              "resident block");
		return finish(s, s->ops->resident_remove(s, id), "resident remove");
	}
	store_close(s);
	usage(stderr);
	return 2;
}

static int cmd_rates(const struct opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	struct store *s = open_db(o);
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.category = print_category, .rate = print_rate};
		return finish(s, s->ops->catalog_read(s, -1, &f, NULL), "rates list");
	}
	if (strcmp(sub, "set") == 0) {
		struct wf_category c;
		int64_t id = 0, rate = 0, min = 0, max = 0, lim = 0;
		char why[128];
		const char *unit = opt(o, "unit");
		memset(&c, 0, sizeof c);
		if (opt_int(o, "id", 1, UINT16_MAX, &id, 1) < 0 ||
		    opt_int(o, "rate", 0, WF_RATE_MAX, &rate, 1) < 0 ||
		    opt_int(o, "min", 1, WF_QTY_MAX, &min, 1) < 0 ||
		    opt_int(o, "max", 1, WF_QTY_MAX, &max, 1) < 0 ||
		    opt_int(o, "daily-limit", 0, WF_QTY_MAX, &lim, 0) < 0 ||
		    copy_opt(o, "code", c.code, sizeof c.code, 1) < 0 ||
		    copy_opt(o, "name", c.name, sizeof c.name, 1) < 0 || !unit ||
		    (strcmp(unit, "g") && strcmp(unit, "piece"))) {
			fputs("wufei-central: rates set needs --id --code --name --unit g|piece "
			      "--rate --min --max\n",
			      stderr);
			store_close(s);
			return 2;
		}
		c.id = (uint16_t)id;
		c.unit = strcmp(unit, "g") == 0 ? WF_UNIT_GRAM : WF_UNIT_PIECE;
		c.rate = rate;
		c.min_qty = min;
		c.max_qty = max;
		c.daily_limit_qty = lim;
		c.rate_version = 1;
		if (!wf_category_check(&c, why, sizeof why)) {
			fprintf(stderr, "wufei-central: %s\n", why);
			store_close(s);
			return 2;
		}
		int err = s->ops->rate_set(s, &c, (int64_t)time(NULL));
		if (!err)
			printf("category %u: rate version %" PRIu32 "\n", (unsigned)c.id,
			       c.rate_version);
		return finish(s, err, "rates set");
	}
	store_close(s);
	usage(stderr);
	return 2;
}

static int cmd_staff(const struct opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	int64_t id = 0;
	struct store *s = open_db(o);
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.staff = print_staff};
		return finish(s, s->ops->catalog_read(s, -1, &f, NULL), "staff list");
	}
	if (strcmp(sub, "add") == 0) {
		struct store_staff st;
		memset(&st, 0, sizeof st);
		const char *pin = opt(o, "pin");
		size_t pl = pin ? strlen(pin) : 0;
		int digits = pl >= 4 && pl <= 12;
		for (size_t i = 0; digits && i < pl; i++)
			digits = pin[i] >= '0' && pin[i] <= '9';
		if (opt_int(o, "id", 1, INT64_MAX, &id, 1) < 0 ||
		    card_hash_opt(s, o, st.card_hash) < 0 ||
		    copy_opt(o, "name", st.name, sizeof st.name, 1) < 0 ||
		    copy_opt(o, "role", st.role, sizeof st.role, 1) < 0 || !digits ||
		    (strcmp(st.role, "staff") && strcmp(st.role, "admin"))) {
			fputs("wufei-central: staff add needs --id, --card or --card-hash, --name, "
			      "--role staff|admin, --pin of 4-12 digits\n",
			      stderr);
			store_close(s);
			return 2;
		}
		st.id = id;
		if (crypto_pwhash_str(st.pin_hash, pin, pl, crypto_pwhash_OPSLIMIT_INTERACTIVE,
		                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			fputs("wufei-central: out of memory hashing the PIN\n", stderr);
			store_close(s);
			return 1;
		}
		return finish(s, s->ops->staff_put(s, &st), "staff add");
	}
	if (strcmp(sub, "remove") == 0 && o->npos == 2 &&
	    pos_int(o->pos[1], 1, INT64_MAX, &id) == 0)
		return finish(s, s->ops->staff_remove(s, id), "staff remove");
	store_close(s);
	usage(stderr);
	return 2;
}

static int print_alert(void *ctx, const struct store_alert *a)
{
	int *n = ctx;
	(*n)++;
	printf("%" PRId64 "\tkiosk %" PRIu32 "\tseq %" PRIu32 "\t%s\t%" PRId64 "\t%s%s\n", a->id,
	       a->kiosk, a->seq, a->reason, a->received_s, a->detail,
	       a->bytes_len ? " (newcomer bytes kept)" : "");
	return 0;
}

static int cmd_alerts(const struct opts *o)
{
	int n = 0;
	if (o->npos != 1 || strcmp(o->pos[0], "list") != 0) {
		usage(stderr);
		return 2;
	}
	struct store *s = open_db(o);
	if (!s)
		return 1;
	int rc = finish(s, s->ops->alert_list(s, print_alert, &n), "alerts list");
	if (rc == 0)
		printf("%d alert(s)\n", n);
	return rc;
}

static int cmd_blocklist(const struct opts *o)
{
	struct store_block b;
	struct store *s = open_db(o);
	if (!s)
		return 1;
	memset(&b, 0, sizeof b);
	if (o->npos != 1 || strcmp(o->pos[0], "add") != 0 || card_hash_opt(s, o, b.card_hash) < 0 ||
	    copy_opt(o, "reason", b.reason, sizeof b.reason, 0) < 0) {
		store_close(s);
		usage(stderr);
		return 2;
	}
	return finish(s, s->ops->block_put(s, &b), "blocklist add");
}

int main(int argc, char **argv)
{
	struct opts o;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fputs("wufei-central: libsodium failed to initialise\n", stderr);
		return 1;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (opts_parse(argc - 2, argv + 2, &o) < 0)
		return 2;
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&o);
	if (strcmp(cmd, "kiosk") == 0)
		return cmd_kiosk(&o);
	if (strcmp(cmd, "verify-receipt") == 0)
		return cmd_verify(&o);
	if (strcmp(cmd, "resident") == 0)
		return cmd_resident(&o);
	if (strcmp(cmd, "rates") == 0)
		return cmd_rates(&o);
	if (strcmp(cmd, "staff") == 0)
		return cmd_staff(&o);
	if (strcmp(cmd, "blocklist") == 0)
		return cmd_blocklist(&o);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_alerts(&o);
	fprintf(stderr, "wufei-central: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
