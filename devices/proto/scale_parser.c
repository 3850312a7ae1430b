/*
 * scale_parser.c — the scale protocol named in kiosk.ini (protocol.h's
 * list) to its parser and command encoder.
 */
#include "scale_parser.h"

#include "wf.h"

#include <assert.h>
#include <string.h>

int scale_protocol_parse(const char *name, enum scale_protocol *out)
{
	assert(out);
	const struct protocol *p = protocol_find(name);
	if (!p || p->role != DEVICE_ROLE_SCALE)
		return WF_EINVAL;
	*out = (enum scale_protocol)p->id;
	return WF_OK;
}

const char *scale_protocol_name(enum scale_protocol proto)
{
	const struct protocol *p = protocol_get((enum protocol_id)proto);
	return p && p->role == DEVICE_ROLE_SCALE ? p->name : "?";
}

int scale_parser_init(struct scale_parser *p, const char *protocol, enum scale_unit unit)
{
	assert(p);
	memset(p, 0, sizeof *p);
	enum scale_protocol proto;
	if (scale_protocol_parse(protocol, &proto) != WF_OK || unit < SCALE_UNIT_KG ||
	    unit > SCALE_UNIT_OZ)
		return WF_EINVAL;
	p->proto = proto;
	p->unit = unit;
	switch (proto) {
	case SCALE_PROTO_MT8217: mt8217_init(&p->u.mt8217, unit); break;
	case SCALE_PROTO_MTSICS: mtsics_init(&p->u.mtsics, unit); break;
	case SCALE_PROTO_CAS_CI200: cas_ci200_init(&p->u.cas); break;
	case SCALE_PROTO_XK3190_A9: xk3190_init(&p->u.xk, unit); break;
	case SCALE_PROTO_XK3190_EQ: xk3190eq_init(&p->u.xkeq, unit, false); break;
	}
	return WF_OK;
}

int scale_parser_digit_order(struct scale_parser *p, bool normal)
{
	assert(p);
	if (p->proto != SCALE_PROTO_XK3190_EQ)
		return WF_EINVAL;
	p->u.xkeq.normal = normal;
	return WF_OK;
}

void scale_parser_command_sent(struct scale_parser *p, enum scale_cmd cmd)
{
	assert(p);
	if (p->proto == SCALE_PROTO_MT8217)
		mt8217_command_sent(&p->u.mt8217, cmd);
}

void scale_parser_reset(struct scale_parser *p)
{
	switch (p->proto) {
	case SCALE_PROTO_MT8217: mt8217_reset(&p->u.mt8217); break;
	case SCALE_PROTO_MTSICS: mtsics_reset(&p->u.mtsics); break;
	case SCALE_PROTO_CAS_CI200: cas_ci200_reset(&p->u.cas); break;
	case SCALE_PROTO_XK3190_A9: xk3190_reset(&p->u.xk); break;
	case SCALE_PROTO_XK3190_EQ: xk3190eq_reset(&p->u.xkeq); break;
	}
}

int scale_parser_feed(struct scale_parser *p, const uint8_t *buf, size_t len)
{
	assert(p);
	switch (p->proto) {
	case SCALE_PROTO_MT8217: return mt8217_feed(&p->u.mt8217, buf, len);
	case SCALE_PROTO_MTSICS: return mtsics_feed(&p->u.mtsics, buf, len);
	case SCALE_PROTO_CAS_CI200: return cas_ci200_feed(&p->u.cas, buf, len);
	case SCALE_PROTO_XK3190_A9: return xk3190_feed(&p->u.xk, buf, len);
	case SCALE_PROTO_XK3190_EQ: return xk3190eq_feed(&p->u.xkeq, buf, len);
	}
	return 0; /* not initialised: nothing to parse with */
}

bool scale_parser_next(struct scale_parser *p, struct scale_reading *out)
{
	assert(p && out);
	switch (p->proto) {
	case SCALE_PROTO_MT8217: return mt8217_next(&p->u.mt8217, out);
	case SCALE_PROTO_MTSICS: return mtsics_next(&p->u.mtsics, out);
	case SCALE_PROTO_CAS_CI200: return cas_ci200_next(&p->u.cas, out);
	case SCALE_PROTO_XK3190_A9: return xk3190_next(&p->u.xk, out);
	case SCALE_PROTO_XK3190_EQ: return xk3190eq_next(&p->u.xkeq, out);
	}
	return false;
}

bool scale_parser_polled(const struct scale_parser *p)
{
	return p->proto == SCALE_PROTO_MT8217 || p->proto == SCALE_PROTO_MTSICS;
}

size_t scale_parser_encode(const struct scale_parser *p, enum scale_cmd cmd, uint8_t *buf,
                           size_t cap)
{
	if (p->proto == SCALE_PROTO_MT8217)
		return mt8217_encode(cmd, buf, cap);
	if (p->proto == SCALE_PROTO_MTSICS)
		return mtsics_encode(cmd, buf, cap);
	return 0;
}
