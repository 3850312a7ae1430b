/* cli.c — the command line helpers of wufei-central; see cli.h. */
#include "cli.h"

#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cardid.h"
#include "cardid_hash.h"
#include "config.h"
#include "hex.h"
#include "office.h"
#include "office_form.h"

int cli_parse(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (i + 1 >= argc || o->n >= CLI_MAX_OPTS) {
				fprintf(stderr, "wufei-central: %s needs a value\n", argv[i]);
				return WF_EINVAL;
			}
			o->name[o->n] = argv[i] + 2;
			o->value[o->n++] = argv[++i];
		} else if (o->npos < CLI_MAX_OPTS)
			o->pos[o->npos++] = argv[i];
		else
			return WF_EINVAL;
	}
	return WF_OK;
}

const char *cli_opt(const struct cli_opts *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return NULL;
}

/* v as an integer in [min, max]; false when it is not one. */
static bool int_in(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	long long x = strtoll(v, &end, 10);
	if (!*v || !end || *end || x < min || x > max)
		return false;
	*out = x;
	return true;
}

int cli_opt_int(const struct cli_opts *o, const char *name, int64_t min, int64_t max, int64_t *out,
                bool required)
{
	const char *v = cli_opt(o, name);
	if (!v) {
		if (required)
			fprintf(stderr, "wufei-central: --%s is required\n", name);
		return required ? WF_EINVAL : WF_OK;
	}
	if (!int_in(v, min, max, out)) {
		fprintf(stderr,
		        "wufei-central: --%s wants an integer in [%" PRId64 ", %" PRId64
		        "], got '%s'\n",
		        name, min, max, v);
		return WF_EINVAL;
	}
	return WF_OK;
}

int cli_pos_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	if (!v)
		return WF_EINVAL;
	if (!int_in(v, min, max, out)) {
		fprintf(stderr,
		        "wufei-central: '%s' is not an integer in [%" PRId64 ", %" PRId64 "]\n", v,
		        min, max);
		return WF_EINVAL;
	}
	return WF_OK;
}

int cli_opt_text(const struct cli_opts *o, const char *name, char *out, size_t cap, bool required)
{
	const char *v = cli_opt(o, name);
	if (!v) {
		out[0] = '\0';
		if (!required)
			return WF_OK;
		fprintf(stderr, "wufei-central: --%s is required\n", name);
		return WF_EINVAL;
	}
	size_t n = strlen(v);
	if (n >= cap) {
		fprintf(stderr, "wufei-central: --%s longer than %zu bytes\n", name, cap - 1);
		return WF_EINVAL;
	}
	memcpy(out, v, n + 1);
	return WF_OK;
}

struct store *cli_store_open(const struct cli_opts *o)
{
	char why[512];
	struct store *s = NULL;
	const char *db = cli_opt(o, "db");
	char from_file[CENTRAL_CONFIG_VALUE]; /* --config FILE, or /etc/wufei/central.ini */
	int cf = db ? WF_ENOENT : central_config_db(o, from_file, sizeof from_file);
	if (cf == WF_OK)
		db = from_file;
	else if (cf != WF_ENOENT)
		return NULL;
	if (!db) {
		fputs("wufei-central: --db sqlite:PATH or --db postgresql://... is required "
		      "(or --config FILE, or " CENTRAL_CONFIG_DEFAULT ")\n",
		      stderr);
		return NULL;
	}
	if (store_open(db, &s, why, sizeof why) != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", why);
		return NULL;
	}
	return s;
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
		hex = hex_digit((unsigned char)num[i]) >= 0;
	char canon[CARDID_MAX];
	if (hex && cardid_em4100(strtoull(num, NULL, 16), canon, sizeof canon) == WF_OK)
		fprintf(stderr, "  read as the hex an RDM6300 sends, %s is %s\n", card, canon);
}

/* The hash of canonical card id card under the store's card key. */
static int card_id_hash(struct store *s, const char *card, char out[WF_HASH_HEX])
{
	uint8_t key[32], h[WF_HASH_BYTES];
	uint32_t version = 0;
	if (s->ops->card_key_get(s, &version, key) != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", store_errmsg(s));
		return WF_ENOENT;
	}
	int rc = cardid_hash(key, card, h);
	sodium_memzero(key, sizeof key);
	if (rc) {
		fprintf(stderr, "wufei-central: cannot hash the card id: %s\n", wf_strerror(rc));
		return rc;
	}
	return hex_encode(h, WF_HASH_BYTES, out, WF_HASH_HEX);
}

int cli_card_hash(struct store *s, const struct cli_opts *o, char out[WF_HASH_HEX])
{
	const char *card = cli_opt(o, "card");
	const char *hex = cli_opt(o, "card-hash");
	if (hex) {
		uint8_t b[WF_HASH_BYTES];
		if (hex_decode(hex, strlen(hex), b, WF_HASH_BYTES) != WF_OK) {
			fputs("wufei-central: --card-hash wants 64 hex characters\n", stderr);
			return WF_EINVAL;
		}
		return hex_encode(b, WF_HASH_BYTES, out, WF_HASH_HEX); /* lower case */
	}
	if (!card || strchr(card, ':') == NULL || strlen(card) > 64) {
		fputs("wufei-central: --card TECH:NUMBER (e.g. em4100:0014868981) or --card-hash "
		      "HEX is required\n",
		      stderr);
		return WF_EINVAL;
	}
	if (!cardid_valid(card)) {
		card_id_refused(card);
		return WF_EINVAL;
	}
	return card_id_hash(s, card, out);
}

int cli_finish(struct store *s, int err, const char *what)
{
	if (err)
		fprintf(stderr, "wufei-central: %s: %s (%s)\n", what, wf_strerror(err),
		        store_errmsg(s));
	store_close(s);
	return err ? 1 : 0;
}

void cli_who(char *out, size_t cap)
{
	const struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && office_user_name_ok(pw->pw_name))
		snprintf(out, cap, "cli:%s", pw->pw_name);
	else
		snprintf(out, cap, "cli:uid%u", (unsigned)geteuid());
}

int cli_finish_audited(struct store *s, int err, const char *what, const char *action,
                       const char *fmt, ...)
{
	if (!err) {
		char who[64], detail[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
		cli_who(who, sizeof who);
		err = office_audit(s, (int64_t)time(NULL), who, NULL, action, "%s", detail);
		if (err)
			fprintf(stderr,
			        "wufei-central: %s was done, but its audit line was not written\n",
			        what);
	}
	return cli_finish(s, err, what);
}

void cli_term_escape(const char *in, char *out, size_t cap)
{
	size_t o = 0, n = strlen(in);
	for (size_t i = 0; i < n && o + 5 < cap;) {
		unsigned char c = (unsigned char)in[i];
		size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (c >= 0x20 && c != 0x7f && c != '\\' &&
		    (c < 0x80 ||
		     (i + len <= n && office_utf8_ok(in + i, len) && o + len + 1 < cap))) {
			memcpy(out + o, in + i, len);
			o += len;
			i += len;
			continue;
		}
		o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		i++;
	}
	out[o] = '\0';
}
