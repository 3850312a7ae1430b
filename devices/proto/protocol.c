/* protocol.c — the one list of device protocols (protocol.h). */
#include "protocol.h"

#include <string.h>

/* In enum protocol_id order; docs/PROTOCOLS.md describes each. */
static const struct protocol g_protocols[] = {
    {PROTOCOL_MT8217, "mt8217", DEVICE_ROLE_SCALE, "9600 7E1",
     "Mettler Toledo 8217 scale protocol: polled (W), zero, tare, clear tare"},
    {PROTOCOL_MTSICS, "mt-sics", DEVICE_ROLE_SCALE, "9600 8N1",
     "Mettler Toledo MT-SICS balance: polled (SI) or streaming (SIR), zero, tare"},
    {PROTOCOL_CAS_CI200, "cas-ci200", DEVICE_ROLE_SCALE, "9600 8N1",
     "CAS indicator, the 22-byte continuous output"},
    {PROTOCOL_XK3190_A9, "xk3190-a9", DEVICE_ROLE_SCALE, "9600 8N1",
     "Yaohua XK3190 indicator, the 12-byte continuous frame"},
    {PROTOCOL_XK3190_EQ, "xk3190-eq", DEVICE_ROLE_SCALE, "9600 8N1",
     "Yaohua XK3190 indicator, the '=' continuous format"},
    {PROTOCOL_EM4100, "em4100", DEVICE_ROLE_CARD, "9600 8N1",
     "RDM6300 125 kHz EM4100 card reader (14-byte frames)"},
    {PROTOCOL_WEDGE, "wedge", DEVICE_ROLE_CARD, NULL,
     "USB keyboard-wedge card reader: types the number, no port"},
    {PROTOCOL_ESCPOS, "escpos", DEVICE_ROLE_PRINTER, "115200 8N1",
     "ESC/POS receipt printer, serial or tcp:HOST:9100"},
};

#define NPROTOCOLS (sizeof g_protocols / sizeof g_protocols[0])

const struct protocol *protocol_find(const char *name)
{
	for (size_t i = 0; name && i < NPROTOCOLS; i++)
		if (!strcmp(name, g_protocols[i].name))
			return &g_protocols[i];
	return NULL;
}

const struct protocol *protocol_get(enum protocol_id id)
{
	for (size_t i = 0; i < NPROTOCOLS; i++)
		if (g_protocols[i].id == id)
			return &g_protocols[i];
	return NULL;
}

const struct protocol *protocol_at(size_t i)
{
	return i < NPROTOCOLS ? &g_protocols[i] : NULL;
}

/* Append s to out at `at` while it fits (one byte kept for the NUL);
 * returns where the text would end had everything fitted. */
static size_t append(char *out, size_t cap, size_t at, const char *s)
{
	for (; *s; s++, at++)
		if (at + 1 < cap)
			out[at] = *s;
	return at;
}

size_t protocol_names(enum device_role role, char *out, size_t cap)
{
	size_t total = 0, n = 0, count = 0;
	for (size_t i = 0; i < NPROTOCOLS; i++)
		count += !role || g_protocols[i].role == role;
	for (size_t i = 0; i < NPROTOCOLS; i++) {
		if (role && g_protocols[i].role != role)
			continue;
		total = append(out, cap, total, n == 0 ? "" : n + 1 == count ? " or " : ", ");
		total = append(out, cap, total, g_protocols[i].name);
		n++;
	}
	if (cap)
		out[total < cap ? total : cap - 1] = '\0';
	return total;
}

const char *protocol_role_name(enum device_role role)
{
	switch (role) {
	case DEVICE_ROLE_SCALE: return "scale";
	case DEVICE_ROLE_CARD: return "card";
	case DEVICE_ROLE_PRINTER: return "printer";
	}
	return "?";
}
