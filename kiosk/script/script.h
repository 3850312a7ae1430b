/*
 * script.h — the kiosk's line command language, for scripted runs, the
 * headless demo, tests and a technician's console.
 *
 * One command per line; '#' starts a comment; blank lines are skipped:
 *
 *   card ID                 a card was read (canonical id, "em4100:0014868981")
 *   weight GRAMS [motion|overload|underload] [for MS]
 *                           scale readings every 100 ms for MS (default one reading)
 *   status motion|busy|overload|underload [for MS]
 *                           the scale answers a status without a weight (as a
 *                           polled scale does while the platform moves)
 *   tap CONTROL [ARG]       category CODE | confirm | cancel | another | done |
 *                           anonymous | more | less | digit N | backspace |
 *                           zero | tare | test-weight | bin | reprint |
 *                           oos-on | oos-off | exit | point (a keyed-in
 *                           weight's decimal point) |
 *                           language (the other language, for the rest of the visit)
 *   pin DIGITS              digits then confirm, on the PIN screen
 *   wait MS                 let MS pass (ticks every 100 ms)
 *   device scale|card|printer|ledger up|down
 *   sync [MS]               wake the sync thread and wait, in real time (up to
 *                           MS, default 20000), for a round that ends with an
 *                           empty outbox; an error if none does
 *   expect screen NAME      stop with an error unless the screen is NAME
 *   expect message NAME     (session_message_name; "none" for no message)
 *   expect scale NAME       what the live weight says (session_scale_name:
 *                           none, settling, stable, moving, overload, underload)
 *   expect points N         points of the last receipt
 *   quit                    end the run
 *
 * Pure: parses text into a struct; the runner carries it out.
 */
#ifndef WUFEI_SCRIPT_H
#define WUFEI_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

#define SCRIPT_ARG_MAX 64

enum script_kind {
	SCRIPT_NONE = 0, /* blank or comment */
	SCRIPT_CARD,
	SCRIPT_WEIGHT,
	SCRIPT_TAP,
	SCRIPT_PIN,
	SCRIPT_WAIT,
	SCRIPT_DEVICE,
	SCRIPT_EXPECT_SCREEN,
	SCRIPT_EXPECT_MESSAGE,
	SCRIPT_EXPECT_SCALE,
	SCRIPT_EXPECT_POINTS,
	SCRIPT_SYNC,
	SCRIPT_QUIT,
};

struct script_cmd {
	enum script_kind kind;
	char arg[SCRIPT_ARG_MAX];       /* card id, category code, PIN digits, screen name */
	int64_t grams;                  /* weight */
	int64_t ms;                     /* weight duration / wait / sync limit */
	int64_t number;                 /* expect points, digit */
	struct session_reading reading; /* weight flags */
	enum session_control control;   /* tap */
	enum session_device device;     /* device */
	bool up;                        /* device */
};

/*
 * script_parse_line — parses one line (without or with its newline).
 * Returns WF_OK (kind SCRIPT_NONE for blank/comment lines) or WF_EINVAL with
 * a reason in why[why_len].
 */
int script_parse_line(const char *line, struct script_cmd *out, char *why, unsigned why_len);

#endif
