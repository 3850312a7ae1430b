/*
 * office_auth.c — roles and what each may do, office passwords (Argon2id),
 * user names and the audit log; see office.h.
 */
#include "office.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "office_form.h"

static const char *const role_names[] = {
    [OFFICE_VIEWER] = "viewer", [OFFICE_OPERATOR] = "operator", [OFFICE_ADMIN] = "admin"};

int office_role_parse(const char *text)
{
	for (int r = OFFICE_VIEWER; r <= OFFICE_ADMIN; r++)
		if (text && strcmp(text, role_names[r]) == 0)
			return r;
	return WF_EINVAL;
}

const char *office_role_name(int role)
{
	return role >= OFFICE_VIEWER && role <= OFFICE_ADMIN ? role_names[role] : "?";
}

/* The least role each action needs: the one table of who may do what. */
static int least_role(enum office_action action)
{
	switch (action) {
	case OFFICE_VIEW:
	case OFFICE_OWN_PASSWORD: return OFFICE_VIEWER;
	case OFFICE_CLAIM:
	case OFFICE_REDEEM:
	case OFFICE_CLOSE_DAY: return OFFICE_OPERATOR;
	case OFFICE_ADJUST_POINTS:
	case OFFICE_MANAGE_USERS:
	case OFFICE_MANAGE_TOKENS: return OFFICE_ADMIN;
	}
	return OFFICE_ADMIN + 1; /* an action nobody may do */
}

bool office_can(int role, enum office_action action)
{
	if (role < OFFICE_VIEWER || role > OFFICE_ADMIN)
		return false;
	return role >= least_role(action);
}

int office_password_ok(const char *pw, size_t len)
{
	if (!pw || len < OFFICE_PASSWORD_MIN || len > OFFICE_PASSWORD_MAX)
		return WF_EINVAL;
	if (!office_utf8_ok(pw, len))
		return WF_EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return WF_EINVAL;
	return WF_OK;
}

int office_password_hash(const char *pw, size_t len, char out[OFFICE_HASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= OFFICE_HASH_MAX, "hash buffer");
	if (crypto_pwhash_str_alg(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return WF_ENOMEM;
	return WF_OK;
}

int office_password_verify(const char *hash, const char *pw, size_t len, bool *rehash)
{
	if (rehash)
		*rehash = false;
	if (!hash || strnlen(hash, OFFICE_HASH_MAX) >= OFFICE_HASH_MAX)
		return 0;
	if (crypto_pwhash_str_verify(hash, pw, len) != 0)
		return 0;
	if (rehash)
		*rehash = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
		                                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	return 1;
}

bool office_user_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
		if (!ok)
			return false;
	}
	return true;
}

int office_audit(struct store *s, int64_t now_s, const char *who, const char *addr,
                 const char *action, const char *fmt, ...)
{
	struct store_audit a;
	va_list ap;
	memset(&a, 0, sizeof a);
	a.at_s = now_s;
	snprintf(a.who, sizeof a.who, "%s", who ? who : "");
	snprintf(a.addr, sizeof a.addr, "%s", addr ? addr : "");
	snprintf(a.action, sizeof a.action, "%s", action);
	va_start(ap, fmt);
	vsnprintf(a.detail, sizeof a.detail, fmt, ap);
	va_end(ap);
	store_lock(s);
	int rc = s->ops->audit_add(s, &a);
	store_unlock(s);
	return rc;
}
