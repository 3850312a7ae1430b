/*
 * cmd_user.c — the office's people and keys from the command line:
 * `wufei-central user add|passwd|role|remove|list` (office users and their
 * roles), `audit list` (the audit log, escaped for the terminal) and `token
 * add|list|revoke` (partner shops' redeem-only API tokens). Passwords are
 * read from the terminal with echo off, or as one line of standard input
 * (office_secret.h), never from the command line. Every change is written
 * to the audit log as "cli:<login>".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "office.h"
#include "office_form.h"
#include "office_secret.h"

/* Closes s and returns the exit status (the helpers below own s). */
static int done(struct store *s, int status)
{
	store_close(s);
	return status;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* A new password for name from the terminal (asked twice) or standard
 * input, checked, then hashed into hash. */
static int password_read_hash(const char *name, char hash[OFFICE_HASH_MAX])
{
	char pw[OFFICE_PASSWORD_MAX + 2], prompt[128], why[160];
	snprintf(prompt, sizeof prompt, "new password for %s: ", name);
	int n = office_secret_read(STDIN_FILENO, STDERR_FILENO, prompt, true, pw, sizeof pw, why,
	                           sizeof why);
	int rc = n < 0 ? n : office_password_ok(pw, (size_t)n);
	if (n < 0)
		fprintf(stderr, "wufei-central: %s\n", why);
	else if (rc)
		fprintf(stderr,
		        "wufei-central: a password is %d to %d bytes of UTF-8 text without "
		        "control characters\n",
		        OFFICE_PASSWORD_MIN, OFFICE_PASSWORD_MAX);
	if (!rc && office_password_hash(pw, (size_t)n, hash) != WF_OK) {
		fputs("wufei-central: out of memory hashing the password\n", stderr);
		rc = WF_ENOMEM;
	}
	sodium_memzero(pw, sizeof pw);
	return rc;
}

/* The NAME positional (pos[1]) of a user command, checked. */
static const char *user_arg(const struct cli_opts *o)
{
	const char *name = o->npos == 2 ? o->pos[1] : NULL;
	if (!name || !office_user_name_ok(name)) {
		fputs("wufei-central: a user name is 1 to 63 of a-z A-Z 0-9 . _ - @\n", stderr);
		return NULL;
	}
	return name;
}

/* --role as a role, or WF_EINVAL (said why). */
static int role_arg(const struct cli_opts *o)
{
	int role = office_role_parse(cli_opt(o, "role"));
	if (role < 0)
		fputs("wufei-central: --role viewer|operator|admin is required\n", stderr);
	return role;
}

static int user_add(struct store *s, const struct cli_opts *o, const char *who)
{
	struct store_user u;
	const char *name = user_arg(o);
	int role = role_arg(o);
	memset(&u, 0, sizeof u);
	if (!name || role < 0)
		return done(s, 2);
	snprintf(u.name, sizeof u.name, "%s", name);
	snprintf(u.role, sizeof u.role, "%s", office_role_name(role));
	u.created_s = now_s();
	if (password_read_hash(name, u.pw_hash) != WF_OK)
		return done(s, 1);
	int rc = s->ops->user_add(s, &u);
	sodium_memzero(u.pw_hash, sizeof u.pw_hash);
	if (!rc)
		rc = office_audit(s, u.created_s, who, NULL, "user_add", "%s as %s", name, u.role);
	return cli_finish(s, rc, "user add");
}

/* passwd and role: 1 changed, else the exit status said. */
static int user_change(struct store *s, const struct cli_opts *o, const char *who, bool passwd)
{
	char hash[OFFICE_HASH_MAX] = "";
	const char *name = user_arg(o);
	int role = passwd ? 0 : role_arg(o);
	if (!name || role < 0)
		return done(s, 2);
	if (passwd && password_read_hash(name, hash) != WF_OK)
		return done(s, 1);
	int64_t t = now_s();
	int rc = s->ops->user_update(s, name, passwd ? hash : NULL,
	                             passwd ? NULL : office_role_name(role), t);
	sodium_memzero(hash, sizeof hash);
	if (rc == 0) {
		fprintf(stderr, "wufei-central: no office user named %s\n", name);
		return done(s, 1);
	}
	if (rc == 1)
		rc = passwd
		         ? office_audit(s, t, who, NULL, "user_passwd", "%s (sessions ended)", name)
		         : office_audit(s, t, who, NULL, "user_role", "%s to %s", name,
		                        office_role_name(role));
	return cli_finish(s, rc, passwd ? "user passwd" : "user role");
}

static int user_remove(struct store *s, const struct cli_opts *o, const char *who)
{
	const char *name = user_arg(o);
	if (!name)
		return done(s, 2);
	int rc = s->ops->user_remove(s, name);
	if (rc == 0) {
		fprintf(stderr, "wufei-central: no office user named %s\n", name);
		return done(s, 1);
	}
	if (rc == 1)
		rc = office_audit(s, now_s(), who, NULL, "user_remove", "%s", name);
	return cli_finish(s, rc, "user remove");
}

/* t as "2026-11-30 08:00:00Z", or "-" for 0. */
static void fmt_time(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "-");
}

static int print_user(void *ctx, const struct store_user *u)
{
	char c[32], m[32];
	(void)ctx;
	fmt_time(u->created_s, c, sizeof c);
	fmt_time(u->changed_s, m, sizeof m);
	printf("%s\t%s\tcreated %s\tchanged %s\n", u->name, u->role, c, m);
	return 0;
}

int cmd_user(const struct cli_opts *o)
{
	char who[80];
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	bool known = !strcmp(sub, "add") || !strcmp(sub, "passwd") || !strcmp(sub, "role") ||
	             !strcmp(sub, "remove") || !strcmp(sub, "list");
	if (!known) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	cli_who(who, sizeof who);
	if (!strcmp(sub, "list"))
		return cli_finish(s, s->ops->user_list(s, print_user, NULL), "user list");
	if (!strcmp(sub, "add"))
		return user_add(s, o, who);
	if (!strcmp(sub, "remove"))
		return user_remove(s, o, who);
	return user_change(s, o, who, !strcmp(sub, "passwd"));
}

/* ---- audit list ---- */

static int print_audit(void *ctx, const struct store_audit *a)
{
	char when[32], who[4 * sizeof a->who + 1], what[4 * sizeof a->action + 1],
	    detail[4 * sizeof a->detail + 1], addr[4 * sizeof a->addr + 1];
	(*(int *)ctx)++;
	fmt_time(a->at_s, when, sizeof when);
	cli_term_escape(a->who, who, sizeof who);
	cli_term_escape(a->action, what, sizeof what);
	cli_term_escape(a->detail, detail, sizeof detail);
	cli_term_escape(a->addr[0] ? a->addr : "-", addr, sizeof addr);
	printf("%" PRId64 "\t%s\t%s\t%s\t%s\t%s\n", a->id, when, who, addr, what, detail);
	return 0;
}

int cmd_audit(const struct cli_opts *o)
{
	int n = 0;
	if (o->npos != 1 || strcmp(o->pos[0], "list") != 0) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int rc = cli_finish(s, s->ops->audit_list(s, print_audit, &n), "audit list");
	if (rc == 0)
		printf("%d line(s)\n", n);
	return rc;
}

/* ---- token add|list|revoke ---- */

static int print_token(void *ctx, const struct store_token *t)
{
	char c[32], r[32], name[4 * sizeof t->name + 1];
	(void)ctx;
	fmt_time(t->created_s, c, sizeof c);
	fmt_time(t->revoked_s, r, sizeof r);
	cli_term_escape(t->name, name, sizeof name);
	printf("%" PRId64 "\t%s\t%s\tcreated %s\t%s%s\n", t->id, name, t->scope, c,
	       t->revoked_s ? "revoked " : "live", t->revoked_s ? r : "");
	return 0;
}

static int token_add(struct store *s, const struct cli_opts *o, const char *who)
{
	char name[64], token[OFFICE_TOKEN_TEXT];
	int64_t id = 0, t = now_s();
	if (cli_opt_text(o, "name", name, sizeof name, true) != WF_OK)
		return done(s, 2);
	if (!name[0]) {
		fputs("wufei-central: token add --name wants the shop's name\n", stderr);
		return done(s, 2);
	}
	int rc = office_token_add(s, name, t, token, &id);
	if (!rc)
		rc = office_audit(s, t, who, NULL, "token_add", "%" PRId64 " for %s", id, name);
	if (!rc) {
		printf("%s\n", token);
		fprintf(stderr,
		        "token %" PRId64 " for %s (redeem only): shown this once, central keeps "
		        "only its hash\n",
		        id, name);
	}
	sodium_memzero(token, sizeof token);
	return cli_finish(s, rc, "token add");
}

int cmd_token(const struct cli_opts *o)
{
	char who[80];
	int64_t id = 0;
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	cli_who(who, sizeof who);
	if (!strcmp(sub, "list"))
		return cli_finish(s, s->ops->token_list(s, print_token, NULL), "token list");
	if (!strcmp(sub, "add"))
		return token_add(s, o, who);
	if (!strcmp(sub, "revoke") && o->npos == 2 &&
	    cli_pos_int(o->pos[1], 1, INT64_MAX, &id) == WF_OK) {
		int rc = s->ops->token_revoke(s, id, now_s());
		if (rc == 0) {
			fprintf(stderr, "wufei-central: no live token %" PRId64 "\n", id);
			return done(s, 1);
		}
		if (rc == 1)
			rc = office_audit(s, now_s(), who, NULL, "token_revoke", "%" PRId64, id);
		return cli_finish(s, rc, "token revoke");
	}
	store_close(s);
	cli_usage(stderr);
	return 2;
}
