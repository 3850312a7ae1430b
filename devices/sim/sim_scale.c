/*
 * sim_scale.c — the device side of the five scale protocols: answers poll
 * commands (mt8217, mt-sics) and sends stream frames (cas-ci200, xk3190-a9,
 * xk3190-eq, mt-sics after SIR). See docs/PROTOCOLS.md for the byte formats.
 *
 * Weights: load_g lies on the platform; zero_g is the zero offset, tare_g the
 * tare. gross = load - zero, net = gross - tare. While "motion" is on, each
 * reading jitters by up to ±20 g and is flagged unstable.
 */
#include "hex.h"
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STX 0x02
#define ETX 0x03
#define CR  0x0d
#define LF  0x0a

/* mt8217 status bits (DIVA service manual 6.1.4.3): bit 6 is always set */
#define MT8217_MOTION     0x01
#define MT8217_OVER       0x02
#define MT8217_UNDER      0x04
#define MT8217_ZERO_RANGE 0x08 /* outside the zero-capture range */
#define MT8217_CENTRE     0x10 /* centre of zero */
#define MT8217_NET        0x20
#define MT8217_ALWAYS     0x40

static int64_t gross_g(const struct sim_dev *d)
{
	return d->load_g - d->zero_g;
}

int64_t sim_scale_net_g(const struct sim_dev *d)
{
	return gross_g(d) - d->tare_g;
}

/* The value shown, with jitter while in motion. */
static int64_t shown_g(struct sim_dev *d)
{
	int64_t g = sim_scale_net_g(d);
	if (d->motion) {
		d->jitter = d->jitter * 1103515245u + 12345u;
		g += (int64_t)((d->jitter >> 16) % 41) - 20;
	}
	return g;
}

/* Value in thousandths of the unit (kg, lb, t) or in grams; integer rounding
 * half away from zero, 1 lb = 453.59237 g. */
static int64_t scaled_value(enum scale_unit u, int64_t g)
{
	if (u == SCALE_UNIT_T) {
		int64_t a = ((g < 0 ? -g : g) + 500) / 1000;
		return g < 0 ? -a : a;
	}
	if (u != SCALE_UNIT_LB)
		return g;
	int64_t num = (g < 0 ? -g : g) * 100000000;
	int64_t v = (num + 45359237 / 2) / 45359237;
	return g < 0 ? -v : v;
}

void sim_scale_format(const struct sim_dev *d, int64_t grams, char *buf, size_t len)
{
	int64_t v = scaled_value(d->unit, grams);
	if (d->unit == SCALE_UNIT_G) {
		snprintf(buf, len, "%lld", (long long)v);
		return;
	}
	int64_t a = v < 0 ? -v : v;
	snprintf(buf, len, "%s%lld.%03lld", v < 0 ? "-" : "", (long long)(a / 1000),
	         (long long)(a % 1000));
}

/* ---- mt8217 ------------------------------------------------------------ */

/* STX ? <status> CR: the scale's state, with bit 6 set as on real scales. */
static void mt8217_status(struct sim_dev *d, unsigned extra)
{
	unsigned bits = MT8217_ALWAYS | extra;
	if (d->motion)
		bits |= MT8217_MOTION;
	if (d->overload)
		bits |= MT8217_OVER;
	else if (gross_g(d) < 0)
		bits |= MT8217_UNDER;
	if (d->tare_g)
		bits |= MT8217_NET;
	if (!d->motion && !d->overload && gross_g(d) == 0)
		bits |= MT8217_CENTRE;
	uint8_t f[4] = {STX, '?', (uint8_t)(bits & 0x7f), CR};
	sim_dev_send(d, f, sizeof(f));
}

/* W: a weight only when stable, in range and not below zero; else the status. */
static void mt8217_weight(struct sim_dev *d)
{
	if (d->overload || d->motion || gross_g(d) < 0) {
		mt8217_status(d, 0);
		return;
	}
	char v[32], f[48];
	sim_scale_format(d, shown_g(d), v, sizeof(v));
	int n = snprintf(f, sizeof(f), "%c%8s%s%c", STX, v, d->tare_g ? "N" : "", CR);
	sim_dev_send(d, f, (size_t)n);
}

/* Z, T, C are answered with the status after the command: centre of zero
 * after a zero, net after a tare; "refuse" plays a zero outside the
 * zero-capture range and a tare the scale will not take. */
static void mt8217_input(struct sim_dev *d, uint8_t c)
{
	switch (c & 0x7f) {
	case 'W': mt8217_weight(d); break;
	case 'Z':
		if (d->refuse) {
			mt8217_status(d, MT8217_ZERO_RANGE);
			break;
		}
		if (!d->motion && !d->overload)
			d->zero_g = d->load_g, d->tare_g = 0;
		mt8217_status(d, 0);
		break;
	case 'T':
		if (!d->refuse && !d->motion && !d->overload && gross_g(d) > 0)
			d->tare_g = gross_g(d);
		mt8217_status(d, 0);
		break;
	case 'C':
		d->tare_g = 0;
		mt8217_status(d, 0);
		break;
	case CR:
	case LF:
	case ' ': break;
	default: mt8217_status(d, 0); break; /* an unknown command: the status too */
	}
}

/* ---- mt-sics ----------------------------------------------------------- */

static void sics_line(struct sim_dev *d, const char *s)
{
	sim_dev_send(d, s, strlen(s));
	sim_dev_send(d, "\r\n", 2);
}

static void sics_value(struct sim_dev *d, const char *head, int64_t g)
{
	char v[32], line[80];
	sim_scale_format(d, g, v, sizeof(v));
	snprintf(line, sizeof(line), "%s %10s %s", head, v, scale_unit_name(d->unit));
	sics_line(d, line);
}

static void sics_weight(struct sim_dev *d, bool immediate)
{
	if (d->overload) {
		sics_line(d, "S +");
		return;
	}
	if (d->motion && !immediate) {
		sics_line(d, "S I");
		return;
	}
	sics_value(d, d->motion ? "S D" : "S S", shown_g(d));
}

static void sics_command(struct sim_dev *d, const char *cmd)
{
	bool busy = d->refuse || d->motion;
	if (!strcmp(cmd, "S")) {
		sics_weight(d, false);
	} else if (!strcmp(cmd, "SI")) {
		sics_weight(d, true);
	} else if (!strcmp(cmd, "SIR")) {
		d->sir = true;
		d->next_stream_ms = 0;
	} else if (!strcmp(cmd, "@")) {
		d->sir = false;
		sics_line(d, "I4 A \"0123456789\"");
	} else if (!strcmp(cmd, "Z")) {
		if (!busy)
			d->zero_g = d->load_g, d->tare_g = 0;
		sics_line(d, busy ? "Z I" : "Z A");
	} else if (!strcmp(cmd, "ZI")) {
		if (!d->refuse)
			d->zero_g = d->load_g, d->tare_g = 0;
		sics_line(d, d->refuse ? "ZI I" : d->motion ? "ZI D" : "ZI S");
	} else if (!strcmp(cmd, "T") || !strcmp(cmd, "TI")) {
		bool ti = cmd[1] == 'I';
		if ((ti ? d->refuse : busy) || gross_g(d) <= 0) {
			sics_line(d, ti ? "TI I" : "T I");
			return;
		}
		d->tare_g = gross_g(d);
		sics_value(d, ti ? (d->motion ? "TI D" : "TI S") : "T S", d->tare_g);
	} else if (!strcmp(cmd, "TA")) {
		sics_value(d, "TA A", d->tare_g);
	} else if (!strcmp(cmd, "TAC")) {
		d->tare_g = 0;
		sics_line(d, "TAC A");
	} else if (!strcmp(cmd, "I0")) {
		sics_line(d, "I0 B 0 \"I0\"");
		sics_line(d, "I0 A 0 \"S\"");
	} else if (!strcmp(cmd, "I1")) {
		sics_line(d, "I1 A \"01\" \"2.30\" \"2.22\" \"\" \"\"");
	} else if (!strcmp(cmd, "I2")) {
		sics_line(d, "I2 A \"WUFEI-DEVSIM 30 kg 0.001 kg\"");
	} else if (!strcmp(cmd, "I3")) {
		sics_line(d, "I3 A \"1.0.0\"");
	} else if (!strcmp(cmd, "I4")) {
		sics_line(d, "I4 A \"0123456789\"");
	} else if (cmd[0]) {
		sics_line(d, "ES");
	}
}

static void sics_input(struct sim_dev *d, uint8_t c)
{
	if (c == LF) {
		while (d->in_len && (d->in[d->in_len - 1] == CR || d->in[d->in_len - 1] == ' '))
			d->in_len--;
		d->in[d->in_len] = '\0';
		sics_command(d, (const char *)d->in);
		d->in_len = 0;
		return;
	}
	if (d->in_len + 1 < sizeof(d->in))
		d->in[d->in_len++] = c;
	else
		d->in_len = 0; /* an over-long line is a syntax error: drop it */
}

/* ---- stream frames ----------------------------------------------------- */

/* 8 weight characters: '-' or '0' first, then the value zero-padded with its
 * point ("0001.650", "-001.650"), as the CI-600D manual prints them. */
static void cas_weight(struct sim_dev *d, char w[8])
{
	char v[32];
	int64_t g = shown_g(d);
	sim_scale_format(d, g < 0 ? -g : g, v, sizeof(v));
	size_t vl = strlen(v);
	if (vl > 7)
		vl = 7;
	memset(w, '0', 8);
	if (g < 0)
		w[0] = '-';
	memcpy(w + 8 - vl, v + strlen(v) - vl, vl);
}

/* The CAS 22-byte frame (or, set to another format, the 18- or 10-byte one):
 * ST|US|OL , GS|NT , id lamp , weight(8) blank unit(2) CR LF. */
static void cas_frame(struct sim_dev *d)
{
	char w[8];
	uint8_t f[32];
	cas_weight(d, w);
	const char *h1 = d->overload ? "OL" : d->motion ? "US" : "ST";
	const char *h2 = d->tare_g ? "NT" : "GS";
	/* lamp: 7 always, 6 stable, 2 gross, 1 tare, 0 at zero */
	uint8_t lamp = (uint8_t)(0x80 | (d->motion ? 0 : 0x40) | (d->tare_g ? 0x02 : 0x04) |
	                         (sim_scale_net_g(d) == 0 ? 0x01 : 0));
	const char *unit = d->unit == SCALE_UNIT_G   ? " g"
	                   : d->unit == SCALE_UNIT_T ? " t"
	                                             : scale_unit_name(d->unit);
	size_t n = 0;
	if (d->cas_format != SIM_CAS_10) {
		memcpy(f + n, h1, 2), n += 2;
		f[n++] = ',';
		memcpy(f + n, h2, 2), n += 2;
		f[n++] = ',';
	}
	if (d->cas_format == SIM_CAS_22) {
		f[n++] = '1'; /* device id 1 (0x30 + n) */
		f[n++] = lamp;
		f[n++] = ',';
	}
	memcpy(f + n, w, 8), n += 8;
	if (d->cas_format == SIM_CAS_22)
		f[n++] = ' ';
	if (d->cas_format != SIM_CAS_10)
		memcpy(f + n, unit, 2), n += 2;
	f[n++] = CR, f[n++] = LF;
	sim_dev_send(d, f, n);
}

static void xk3190_frame(struct sim_dev *d)
{
	if (d->overload)
		return; /* the indicator shows "------" and stops sending */
	int64_t v = scaled_value(d->unit, shown_g(d));
	int64_t a = v < 0 ? -v : v;
	if (a > 999999)
		a = 999999;
	char digits[8];
	snprintf(digits, sizeof(digits), "%06lld", (long long)a);
	uint8_t f[12];
	f[0] = STX;
	f[1] = v < 0 ? '-' : '+';
	memcpy(f + 2, digits, 6);
	f[8] = d->unit == SCALE_UNIT_G ? '0' : '3';
	uint8_t x = 0;
	for (int i = 1; i <= 8; i++)
		x ^= f[i];
	char check[3];
	hex_encode(&x, 1, check, sizeof check);
	f[9] = (uint8_t)toupper((unsigned char)check[0]); /* A26: upper case */
	f[10] = (uint8_t)toupper((unsigned char)check[1]);
	f[11] = ETX;
	sim_dev_send(d, f, sizeof(f));
}

/* The Yaohua '=' format: '=' then 7 weight characters and the sign, lowest
 * digit first ("=000.3000" for 3.000), or the sign then the 7 characters in
 * reading order ("=0003.000") with digit_order=normal. */
static void xk3190eq_frame(struct sim_dev *d)
{
	if (d->overload)
		return; /* like the 12-byte format: nothing while over capacity */
	int64_t v = scaled_value(d->unit, shown_g(d));
	int64_t a = v < 0 ? -v : v;
	char text[16];
	if (d->unit == SCALE_UNIT_G)
		snprintf(text, sizeof(text), "%07lld", (long long)(a > 9999999 ? 9999999 : a));
	else
		snprintf(text, sizeof(text), "%03lld.%03lld", (long long)(a / 1000 % 1000),
		         (long long)(a % 1000));
	uint8_t f[9];
	f[0] = '=';
	char sign = v < 0 ? '-' : '0';
	if (d->digits_normal) {
		f[1] = (uint8_t)sign;
		memcpy(f + 2, text, 7);
	} else {
		for (int i = 0; i < 7; i++)
			f[1 + i] = (uint8_t)text[6 - i];
		f[8] = (uint8_t)sign;
	}
	sim_dev_send(d, f, sizeof(f));
}

/* ---- entry points ------------------------------------------------------ */

void sim_scale_input(struct sim_dev *d, const uint8_t *buf, size_t len, int64_t now_ms)
{
	(void)now_ms;
	for (size_t i = 0; i < len; i++) {
		if (d->proto->id == PROTOCOL_MT8217)
			mt8217_input(d, buf[i]);
		else if (d->proto->id == PROTOCOL_MTSICS)
			sics_input(d, buf[i]);
		/* stream scales ignore what the host sends */
	}
}

static bool streaming(const struct sim_dev *d)
{
	return d->proto->id == PROTOCOL_CAS_CI200 || d->proto->id == PROTOCOL_XK3190_A9 ||
	       d->proto->id == PROTOCOL_XK3190_EQ || (d->proto->id == PROTOCOL_MTSICS && d->sir);
}

int64_t sim_scale_next_ms(const struct sim_dev *d)
{
	return streaming(d) ? d->next_stream_ms : INT64_MAX;
}

void sim_scale_tick(struct sim_dev *d, int64_t now_ms)
{
	if (!streaming(d) || now_ms < d->next_stream_ms)
		return;
	d->next_stream_ms = now_ms + SIM_STREAM_MS;
	if (d->proto->id == PROTOCOL_CAS_CI200)
		cas_frame(d);
	else if (d->proto->id == PROTOCOL_XK3190_A9)
		xk3190_frame(d);
	else if (d->proto->id == PROTOCOL_XK3190_EQ)
		xk3190eq_frame(d);
	else
		sics_weight(d, true);
}
