/* script.c — one line of the kiosk's command language into a struct. */
#include "script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

#define MAX_WORDS 6

static int split(char *s, char **w, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	return n;
}

static bool to_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end || end == s || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static const struct {
	const char *word;
	enum session_control control;
} taps[] = {
    {"confirm", SESSION_TAP_CONFIRM},
    {"cancel", SESSION_TAP_CANCEL},
    {"another", SESSION_TAP_ANOTHER},
    {"done", SESSION_TAP_DONE},
    {"anonymous", SESSION_TAP_ANONYMOUS},
    {"more", SESSION_TAP_PIECE_MORE},
    {"less", SESSION_TAP_PIECE_LESS},
    {"backspace", SESSION_TAP_BACKSPACE},
    {"zero", SESSION_TAP_STAFF_ZERO},
    {"tare", SESSION_TAP_STAFF_TARE},
    {"test-weight", SESSION_TAP_STAFF_TEST_WEIGHT},
    {"bin", SESSION_TAP_STAFF_BIN},
    {"reprint", SESSION_TAP_STAFF_REPRINT},
    {"oos-on", SESSION_TAP_STAFF_OOS_ON},
    {"oos-off", SESSION_TAP_STAFF_OOS_OFF},
    {"exit", SESSION_TAP_STAFF_EXIT},
    {"language", SESSION_TAP_LANGUAGE},
};

static int bad(char *why, unsigned why_len, const char *msg)
{
	snprintf(why, why_len, "%s", msg);
	return WF_EINVAL;
}

static int copy_arg(struct script_cmd *c, const char *s, char *why, unsigned why_len)
{
	size_t n = strlen(s);
	if (n >= sizeof c->arg)
		return bad(why, why_len, "argument too long");
	memcpy(c->arg, s, n + 1);
	return WF_OK;
}

static int parse_weight(struct script_cmd *c, char **w, int n, char *why, unsigned why_len)
{
	if (n < 2 || !to_i64(w[1], -WF_QTY_MAX, WF_QTY_MAX, &c->grams))
		return bad(why, why_len,
		           "usage: weight GRAMS [motion|overload|underload] [for MS]");
	c->reading.grams = c->grams;
	c->reading.has_stable = true;
	c->reading.stable = true;
	for (int i = 2; i < n; i++) {
		if (!strcmp(w[i], "motion")) {
			c->reading.motion = true;
			c->reading.stable = false;
		} else if (!strcmp(w[i], "overload")) {
			c->reading.overload = true;
		} else if (!strcmp(w[i], "underload")) {
			c->reading.underload = true;
		} else if (!strcmp(w[i], "for") && i + 1 < n) {
			if (!to_i64(w[++i], 0, 3600000, &c->ms))
				return bad(why, why_len,
				           "weight ... for MS: MS must be 0..3600000");
		} else {
			return bad(why, why_len,
			           "usage: weight GRAMS [motion|overload|underload] [for MS]");
		}
	}
	c->kind = SCRIPT_WEIGHT;
	return WF_OK;
}

/* "status motion|busy|overload|underload [for MS]": a scale status without a
 * weight, as a polled scale answers while the platform moves. */
static int parse_status(struct script_cmd *c, char **w, int n, char *why, unsigned why_len)
{
	const char *usage = "usage: status motion|busy|overload|underload [for MS]";
	if (n != 2 && !(n == 4 && !strcmp(w[2], "for")))
		return bad(why, why_len, usage);
	c->reading.has_stable = true;
	c->reading.no_weight = true;
	if (!strcmp(w[1], "motion"))
		c->reading.motion = true;
	else if (!strcmp(w[1], "overload"))
		c->reading.overload = true;
	else if (!strcmp(w[1], "underload"))
		c->reading.underload = true;
	else if (strcmp(w[1], "busy"))
		return bad(why, why_len, usage);
	if (n == 4 && !to_i64(w[3], 0, 3600000, &c->ms))
		return bad(why, why_len, "status ... for MS: MS must be 0..3600000");
	c->kind = SCRIPT_WEIGHT;
	return WF_OK;
}

static int parse_tap(struct script_cmd *c, char **w, int n, char *why, unsigned why_len)
{
	if (n < 2)
		return bad(why, why_len, "usage: tap CONTROL [ARG]");
	c->kind = SCRIPT_TAP;
	if (!strcmp(w[1], "category")) {
		if (n != 3)
			return bad(why, why_len, "usage: tap category CODE");
		c->control = SESSION_TAP_CATEGORY;
		return copy_arg(c, w[2], why, why_len);
	}
	if (!strcmp(w[1], "digit")) {
		if (n != 3 || !to_i64(w[2], 0, 9, &c->number))
			return bad(why, why_len, "usage: tap digit 0..9");
		c->control = SESSION_TAP_DIGIT;
		return WF_OK;
	}
	for (size_t i = 0; i < sizeof taps / sizeof taps[0]; i++) {
		if (!strcmp(w[1], taps[i].word) && n == 2) {
			c->control = taps[i].control;
			return WF_OK;
		}
	}
	return bad(why, why_len, "unknown control");
}

static int parse_device(struct script_cmd *c, char **w, int n, char *why, unsigned why_len)
{
	static const char *const names[] = {"scale", "card", "printer", "ledger"};
	if (n != 3 || (strcmp(w[2], "up") && strcmp(w[2], "down")))
		return bad(why, why_len, "usage: device scale|card|printer|ledger up|down");
	for (int i = 0; i < SESSION_DEV_COUNT; i++) {
		if (!strcmp(w[1], names[i])) {
			c->kind = SCRIPT_DEVICE;
			c->device = (enum session_device)i;
			c->up = !strcmp(w[2], "up");
			return WF_OK;
		}
	}
	return bad(why, why_len, "usage: device scale|card|printer|ledger up|down");
}

static int parse_expect(struct script_cmd *c, char **w, int n, char *why, unsigned why_len)
{
	if (n != 3)
		return bad(why, why_len, "usage: expect screen|message|scale|points VALUE");
	if (!strcmp(w[1], "screen"))
		c->kind = SCRIPT_EXPECT_SCREEN;
	else if (!strcmp(w[1], "scale"))
		c->kind = SCRIPT_EXPECT_SCALE;
	else if (!strcmp(w[1], "message"))
		c->kind = SCRIPT_EXPECT_MESSAGE;
	else if (!strcmp(w[1], "points")) {
		c->kind = SCRIPT_EXPECT_POINTS;
		if (!to_i64(w[2], 0, INT64_MAX, &c->number))
			return bad(why, why_len, "expect points N: N must be a whole number");
	} else
		return bad(why, why_len, "usage: expect screen|message|scale|points VALUE");
	return copy_arg(c, w[2], why, why_len);
}

int script_parse_line(const char *line, struct script_cmd *out, char *why, unsigned why_len)
{
	memset(out, 0, sizeof *out);
	char buf[256];
	size_t len = strlen(line);
	if (len >= sizeof buf)
		return bad(why, why_len, "line too long");
	memcpy(buf, line, len + 1);
	char *hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	char *w[MAX_WORDS + 1];
	int n = split(buf, w, MAX_WORDS + 1);
	if (n == 0)
		return WF_OK;
	if (n > MAX_WORDS)
		return bad(why, why_len, "too many words");
	if (!strcmp(w[0], "card")) {
		if (n != 2)
			return bad(why, why_len, "usage: card TECHNOLOGY:NUMBER");
		out->kind = SCRIPT_CARD;
		return copy_arg(out, w[1], why, why_len);
	}
	if (!strcmp(w[0], "weight"))
		return parse_weight(out, w, n, why, why_len);
	if (!strcmp(w[0], "status"))
		return parse_status(out, w, n, why, why_len);
	if (!strcmp(w[0], "tap"))
		return parse_tap(out, w, n, why, why_len);
	if (!strcmp(w[0], "pin")) {
		bool ok = n == 2 && strlen(w[1]) >= 1 && strlen(w[1]) <= SESSION_PIN_MAX;
		for (const char *p = ok ? w[1] : ""; *p; p++)
			ok = ok && *p >= '0' && *p <= '9';
		if (!ok)
			return bad(why, why_len, "usage: pin DIGITS (1..8 digits)");
		out->kind = SCRIPT_PIN;
		return copy_arg(out, w[1], why, why_len);
	}
	if (!strcmp(w[0], "wait")) {
		if (n != 2 || !to_i64(w[1], 0, 86400000, &out->ms))
			return bad(why, why_len, "usage: wait MS");
		out->kind = SCRIPT_WAIT;
		return WF_OK;
	}
	if (!strcmp(w[0], "sync")) {
		out->ms = 20000;
		if (n > 2 || (n == 2 && !to_i64(w[1], 1, 600000, &out->ms)))
			return bad(why, why_len, "usage: sync [MS] (1..600000)");
		out->kind = SCRIPT_SYNC;
		return WF_OK;
	}
	if (!strcmp(w[0], "device"))
		return parse_device(out, w, n, why, why_len);
	if (!strcmp(w[0], "expect"))
		return parse_expect(out, w, n, why, why_len);
	if (!strcmp(w[0], "quit") && n == 1) {
		out->kind = SCRIPT_QUIT;
		return WF_OK;
	}
	return bad(why, why_len,
	           "unknown command (card, weight, status, tap, pin, wait, device, sync, expect, "
	           "quit)");
}
