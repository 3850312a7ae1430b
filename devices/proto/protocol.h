/*
 * protocol.h — the one list of device protocols: each protocol's name (as
 * kiosk.ini's `protocol = ...`, `wufei-devsim --scale NAME` and
 * `wufei-devsim parse NAME` spell it), the role of the device that speaks
 * it, the serial line such devices usually run at, and what it is.
 *
 * For: kiosk.ini validation (kiosk/config), the device threads' codec
 * (device_codec.c), the scale parsers' front (scale_parser.c), wufei-devsim
 * and tests. A new protocol starts with a line in protocol.c.
 * Not for: bytes (the parsers and encoders of this folder) or ports
 * (transport.h): `line` is text for transport_line_parse, not a setting
 * anybody applies on its own. Pure data, no I/O, no allocation.
 */
#ifndef WUFEI_PROTO_PROTOCOL_H
#define WUFEI_PROTO_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

/* The kind of device; device.h and kiosk.ini's `role` use the same. */
enum device_role {
	DEVICE_ROLE_SCALE = 1,
	DEVICE_ROLE_CARD = 2,
	DEVICE_ROLE_PRINTER = 3,
};

/* Every protocol, in the order of the list (the scales first: their values
 * are scale_parser.h's enum scale_protocol). */
enum protocol_id {
	PROTOCOL_MT8217 = 1,
	PROTOCOL_MTSICS = 2,
	PROTOCOL_CAS_CI200 = 3,
	PROTOCOL_XK3190_A9 = 4,
	PROTOCOL_XK3190_EQ = 5,
	PROTOCOL_EM4100 = 6,
	PROTOCOL_WEDGE = 7,
	PROTOCOL_ESCPOS = 8,
};

struct protocol {
	enum protocol_id id;
	const char *name;      /* "mt8217", "mt-sics", ... "escpos" */
	enum device_role role; /* the only role this protocol fits */
	const char *line;      /* the serial line such devices usually run at, as
	                          transport_line_parse reads it ("9600 7E1"); what
	                          wufei-devsim reports. NULL: no port (wedge) */
	const char *what;      /* one line for people */
};

/* protocol_find — the protocol named name (exact, lower case); NULL when
 * unknown or name is NULL. */
const struct protocol *protocol_find(const char *name);

/* protocol_get — the protocol with this id; NULL for any other value. */
const struct protocol *protocol_get(enum protocol_id id);

/* protocol_at — the i-th protocol of the list (0-based); NULL past the end. */
const struct protocol *protocol_at(size_t i);

/*
 * protocol_names — the names of every protocol of role (0: all) for
 * messages, "a, b or c", into out (cap bytes, NUL-terminated; cut short
 * when cap is too small). Returns the length it needed (as snprintf).
 */
size_t protocol_names(enum device_role role, char *out, size_t cap);

/* protocol_role_name — "scale", "card", "printer"; "?" for anything else. */
const char *protocol_role_name(enum device_role role);

#endif
