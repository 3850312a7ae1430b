/*
 * cmd_people.c — who the kiosks know: `wufei-central resident
 * add|list|block|remove`, `staff add|list|remove` and `blocklist add`.
 * A card is given as its canonical id (--card, hashed with central's card
 * key) or as its hash (--card-hash); one card, one identity. A staff PIN is
 * read from the terminal or standard input (office_secret.h), never taken
 * from the command line.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "office_secret.h"

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

static int resident_add(struct store *s, const struct cli_opts *o)
{
	struct store_resident r;
	int64_t id = 0, points = 0;
	memset(&r, 0, sizeof r);
	if (cli_opt_int(o, "id", 1, INT64_MAX, &id, true) != WF_OK ||
	    cli_opt_int(o, "points", 0, INT64_C(1) << 50, &points, false) != WF_OK ||
	    cli_card_hash(s, o, r.card_hash) != WF_OK ||
	    cli_opt_text(o, "name", r.name, sizeof r.name, true) != WF_OK) {
		store_close(s);
		return 2;
	}
	r.id = id;
	r.points_balance = points;
	snprintf(r.status, sizeof r.status, "active");
	return cli_finish_audited(s, s->ops->resident_put(s, &r), "resident add", "resident_add",
	                          "%" PRId64 " (opening balance %" PRId64 ")", id, points);
}

int cmd_resident(const struct cli_opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	int64_t id = 0;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.resident = print_resident};
		return cli_finish(s, s->ops->catalog_read(s, -1, &f, NULL), "resident list");
	}
	if (strcmp(sub, "add") == 0)
		return resident_add(s, o);
	if ((strcmp(sub, "block") == 0 || strcmp(sub, "remove") == 0) && o->npos == 2 &&
	    cli_pos_int(o->pos[1], 1, INT64_MAX, &id) == WF_OK) {
		const char *why = cli_opt(o, "reason");
		if (sub[0] == 'b')
			return cli_finish_audited(s, s->ops->resident_block(s, id, why),
			                          "resident block", "resident_block",
			                          "%" PRId64 ": %s", id, why ? why : "");
		return cli_finish_audited(s, s->ops->resident_remove(s, id), "resident remove",
		                          "resident_remove", "%" PRId64, id);
	}
	store_close(s);
	cli_usage(stderr);
	return 2;
}

/* A PIN is 4 to 12 digits. */
static bool pin_ok(const char *pin)
{
	size_t n = pin ? strlen(pin) : 0;
	bool digits = n >= 4 && n <= 12;
	for (size_t i = 0; digits && i < n; i++)
		digits = pin[i] >= '0' && pin[i] <= '9';
	return digits;
}

/* The staff member's PIN from the terminal (echo off, asked twice) or one
 * line of standard input, hashed into hash. Never from the command line. */
static int pin_read_hash(char hash[192])
{
	char pin[16], why[160];
	int n = office_secret_read(STDIN_FILENO, STDERR_FILENO, "PIN (4-12 digits): ", true, pin,
	                           sizeof pin, why, sizeof why);
	int rc = WF_OK;
	if (n < 0) {
		fprintf(stderr, "wufei-central: %s\n", why);
		rc = WF_EINVAL;
	} else if (!pin_ok(pin)) {
		fputs("wufei-central: a PIN is 4 to 12 digits\n", stderr);
		rc = WF_EINVAL;
	} else if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                             crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fputs("wufei-central: out of memory hashing the PIN\n", stderr);
		rc = WF_ENOMEM;
	}
	sodium_memzero(pin, sizeof pin);
	return rc;
}

static int staff_add(struct store *s, const struct cli_opts *o)
{
	struct store_staff st;
	int64_t id = 0;
	memset(&st, 0, sizeof st);
	if (cli_opt(o, "pin")) {
		fputs(
		    "wufei-central: staff add no longer takes --pin (anyone on this machine can "
		    "read a command line): type the PIN when asked, or give it as one line on "
		    "standard input, e.g. printf '%s\\n' \"$PIN\" | wufei-central staff add ...\n",
		    stderr);
		store_close(s);
		return 2;
	}
	if (cli_opt_int(o, "id", 1, INT64_MAX, &id, true) != WF_OK ||
	    cli_card_hash(s, o, st.card_hash) != WF_OK ||
	    cli_opt_text(o, "name", st.name, sizeof st.name, true) != WF_OK ||
	    cli_opt_text(o, "role", st.role, sizeof st.role, true) != WF_OK ||
	    (strcmp(st.role, "staff") && strcmp(st.role, "admin"))) {
		fputs("wufei-central: staff add needs --id, --card or --card-hash, --name, "
		      "--role staff|admin (and the PIN on standard input)\n",
		      stderr);
		store_close(s);
		return 2;
	}
	st.id = id;
	if (pin_read_hash(st.pin_hash) != WF_OK) {
		store_close(s);
		return 1;
	}
	return cli_finish_audited(s, s->ops->staff_put(s, &st), "staff add", "staff_add",
	                          "%" PRId64 " as %s", id, st.role);
}

int cmd_staff(const struct cli_opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	int64_t id = 0;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.staff = print_staff};
		return cli_finish(s, s->ops->catalog_read(s, -1, &f, NULL), "staff list");
	}
	if (strcmp(sub, "add") == 0)
		return staff_add(s, o);
	if (strcmp(sub, "remove") == 0 && o->npos == 2 &&
	    cli_pos_int(o->pos[1], 1, INT64_MAX, &id) == WF_OK)
		return cli_finish_audited(s, s->ops->staff_remove(s, id), "staff remove",
		                          "staff_remove", "%" PRId64, id);
	store_close(s);
	cli_usage(stderr);
	return 2;
}

int cmd_blocklist(const struct cli_opts *o)
{
	struct store_block b;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	memset(&b, 0, sizeof b);
	if (o->npos != 1 || strcmp(o->pos[0], "add") != 0 ||
	    cli_card_hash(s, o, b.card_hash) != WF_OK ||
	    cli_opt_text(o, "reason", b.reason, sizeof b.reason, false) != WF_OK) {
		store_close(s);
		cli_usage(stderr);
		return 2;
	}
	return cli_finish_audited(s, s->ops->block_put(s, &b), "blocklist add", "blocklist_add",
	                          "card hash %.16s...: %s", b.card_hash, b.reason);
}
