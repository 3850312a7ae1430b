/*
 * fuzz_proto.c — libFuzzer targets for the pure parsers of devices/proto/:
 * built once per protocol (FUZZ_PROTO = "mt8217", "mt-sics", "cas-ci200",
 * "xk3190-a9", "xk3190-eq" or "em4100") as fuzz_proto_<name>.
 *
 * The first input byte picks a mode:
 *  - even: the rest is raw bytes from a device, handed over in fragments
 *    whose size the first byte sets (as a serial port hands data over);
 *  - odd: the rest is a program of ops: a raw chunk of garbage, or a
 *    well-formed frame built from the next bytes. After each well-formed
 *    frame the parser must give exactly the reading (or card) the frame
 *    carries, whatever garbage came before: the resynchronisation promise,
 *    checked on every input, so the fuzzer also hunts for wrong answers.
 * Always: what feed returns equals what next gives, and every reading is
 * in range and every string terminated. A broken promise is __builtin_trap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardid.h"
#include "em4100.h"
#include "scale_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

/* Readings never exceed what 11 significant digits in kg can say. */
#define GRAMS_LIMIT 100000000000000LL

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t take32(struct input *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | take(in);
	return v;
}

/* ---- scales ---------------------------------------------------------------- */

static struct scale_parser g_sp;
static int64_t g_now;
static struct em4100_parser g_em;

static void check_reading(const struct scale_reading *r)
{
	CHECK(r->kind >= SCALE_WEIGHT && r->kind <= SCALE_NOTICE);
	CHECK(r->grams > -GRAMS_LIMIT && r->grams < GRAMS_LIMIT);
	CHECK(memchr(r->code, '\0', sizeof r->code) != NULL);
	CHECK(memchr(r->text, '\0', sizeof r->text) != NULL);
	CHECK(r->kind == SCALE_NOTICE || r->text[0] == '\0');
}

/* Feed and drain; returns how many readings came out (the last in *last). */
static int feed_scale(const uint8_t *b, size_t n, struct scale_reading *last)
{
	int queued = scale_parser_feed(&g_sp, b, n), got = 0;
	CHECK(queued >= 0 && (size_t)queued <= n);
	struct scale_reading r;
	while (scale_parser_next(&g_sp, &r)) {
		check_reading(&r);
		if (last)
			*last = r;
		got++;
	}
	CHECK(got == (queued > SCALE_QUEUE_MAX ? SCALE_QUEUE_MAX : queued));
	return got;
}

/* mantissa with dec decimals as text: (1234, 3) -> "1.234", (5, 2) -> "0.05" */
static size_t decimal_text(char *out, size_t cap, uint64_t mant, int dec, int width)
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%0*llu", dec + 1, (unsigned long long)mant);
	char t[32];
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		if (dec && i == n - dec)
			t[k++] = '.';
		t[k++] = digits[i];
	}
	t[k] = '\0';
	size_t pad = width > (int)k ? (size_t)width - k : 0;
	if (pad + k + 1 > cap)
		pad = 0;
	memset(out, '0', pad);
	memcpy(out + pad, t, k + 1);
	return pad + k;
}

/* What every frame starts from: one selector byte (sign, decimals and
 * per-protocol bits) and a 32-bit mantissa, from the input. Each frame_*
 * builds one frame of its protocol into f (cap bytes) from a and the input,
 * fills *want and *u (the unit the frame's value is in; a->mant and a->dec
 * may be narrowed to what the frame can carry) and returns its length. */
struct frame_args {
	unsigned sel;
	bool neg;
	int dec;
	uint64_t mant;
};

/* mt8217: STX, the weight, N when net, CR */
static int frame_mt8217(struct input *in, struct frame_args *a, uint8_t *f, size_t cap,
                        struct scale_reading *want, enum scale_unit *u)
{
	char v[32];
	int n = 0;
	a->mant %= 10000000;
	bool net = a->sel & 0x10;
	decimal_text(v, sizeof v, a->mant, a->dec, 0);
	n = snprintf((char *)f, cap, "\x02%*s%s%s%s\r", (int)(a->sel >> 5), "", a->neg ? "-" : "",
	             v, net ? "N" : "");
	want->stable = want->has_stable_flag = want->has_net_flag = true;
	want->net = net;
	return n;
}

/* mt-sics: "S S|D <weight> <unit>" CR LF */
static int frame_mtsics(struct input *in, struct frame_args *a, uint8_t *f, size_t cap,
                        struct scale_reading *want, enum scale_unit *u)
{
	char v[32];
	int n = 0;
	static const char *units[] = {"kg", "g", "lb", "mg", "oz", "kg", "g", "g"};
	static const enum scale_unit uu[] = {SCALE_UNIT_KG, SCALE_UNIT_G,  SCALE_UNIT_LB,
	                                     SCALE_UNIT_MG, SCALE_UNIT_OZ, SCALE_UNIT_KG,
	                                     SCALE_UNIT_G,  SCALE_UNIT_G};
	a->mant %= 100000000000ULL;
	int ui = (int)(a->sel >> 3 & 3) | (int)(take(in) & 4);
	bool stable = a->sel & 0x20;
	decimal_text(v, sizeof v, a->mant, a->dec, 0);
	n = snprintf((char *)f, cap, "S %c%*s%s%s %s\r\n", stable ? 'S' : 'D',
	             1 + (int)(a->sel >> 6), "", a->neg ? "-" : "", v, units[ui]);
	*u = uu[ui];
	want->stable = stable;
	want->has_stable_flag = true;
	return n;
}

/* cas-ci200: the 22 bytes */
static int frame_cas(struct input *in, struct frame_args *a, uint8_t *f, size_t cap,
                     struct scale_reading *want, enum scale_unit *u)
{
	char v[32];
	int n = 0;
	/* ST|US , GS|NT , id lamp , weight(8) blank unit(2) CR LF */
	static const char *units[] = {"kg", "lb", " g", "g ", " t", "t ", "KG", "kg"};
	static const enum scale_unit uu[] = {SCALE_UNIT_KG, SCALE_UNIT_LB, SCALE_UNIT_G,
	                                     SCALE_UNIT_G,  SCALE_UNIT_T,  SCALE_UNIT_T,
	                                     SCALE_UNIT_KG, SCALE_UNIT_KG};
	a->mant %= a->dec ? 1000000 : 10000000;
	int ui = (int)(a->sel >> 3 & 3) | (int)(a->sel >> 5 & 4);
	bool stable = take(in) & 1, net = a->sel & 0x40;
	uint8_t lamp = (uint8_t)take(in), id = (uint8_t)take(in), blank = (uint8_t)take(in);
	decimal_text(v, sizeof v, a->mant, a->dec, 7);
	n = snprintf((char *)f, cap, "%s,%s,", stable ? "ST" : "US", net ? "NT" : "GS");
	f[n++] = id;
	f[n++] = lamp;
	n += snprintf((char *)f + n, cap - (size_t)n, ",%c%s", a->neg ? '-' : '0', v);
	f[n++] = blank; /* blank, or relay bits: any byte */
	n += snprintf((char *)f + n, cap - (size_t)n, "%s\r\n", units[ui]);
	*u = uu[ui];
	want->stable = stable;
	want->net = net;
	want->has_zero_flag = lamp & 0x80; /* bit 7 marks a lamp byte */
	want->at_zero = want->has_zero_flag && (lamp & 1);
	want->has_stable_flag = want->has_net_flag = true;
	return n;
}

/* xk3190-a9: the 12-byte frame, its check in any of the three spellings */
static int frame_xk3190(struct input *in, struct frame_args *a, uint8_t *f, size_t cap,
                        struct scale_reading *want, enum scale_unit *u)
{
	int n = 0;
	a->mant %= 1000000;
	a->dec = (int)(a->sel >> 1 & 7) % 6;
	n = snprintf((char *)f, cap, "\x02%c%06llu%d", a->neg ? '-' : '+',
	             (unsigned long long)a->mant, a->dec);
	uint8_t x = 0;
	for (int i = 1; i <= 8; i++)
		x ^= f[i];
	unsigned style = take(in) % 3; /* hex, lower-case hex, the A22's nibble + 0x30 */
	if (style == 2)
		n += snprintf((char *)f + n, cap - (size_t)n, "%c%c\x03", '0' + (x >> 4),
		              '0' + (x & 15));
	else
		n += snprintf((char *)f + n, cap - (size_t)n, style ? "%02x\x03" : "%02X\x03", x);
	want->stable = true;
	return n;
}

/* xk3190-eq: '=' and 8 characters in the parser's digit order */
static int frame_xk3190eq(struct input *in, struct frame_args *a, uint8_t *f, size_t cap,
                          struct scale_reading *want, enum scale_unit *u)
{
	char v[32];
	int n = 0;
	/* '=' then 7 characters and the sign (reversed), or the sign then 7 */
	a->mant %= a->dec ? 1000000 : 10000000;
	decimal_text(v, sizeof v, a->mant, a->dec, 7);
	static const char signs[] = "0+-1";
	char sign = signs[(a->sel >> 4 & 1) | (a->neg ? 2 : 0)];
	f[n++] = '=';
	if (g_sp.u.xkeq.normal) {
		f[n++] = (uint8_t)sign;
		memcpy(f + n, v, 7);
		n += 7;
	} else {
		for (int i = 0; i < 7; i++)
			f[n++] = (uint8_t)v[6 - i];
		f[n++] = (uint8_t)sign;
	}
	want->stable = true;
	return n;
}

/* Build one well-formed frame of the protocol from the input; *want is the
 * reading it must give. Returns the frame's length. */
static size_t scale_frame(struct input *in, uint8_t *f, size_t cap, struct scale_reading *want)
{
	memset(want, 0, sizeof *want);
	want->kind = SCALE_WEIGHT;
	struct frame_args a = {.sel = take(in)};
	a.neg = a.sel & 1;
	a.dec = (int)(a.sel >> 1 & 3);
	a.mant = take32(in);
	int n = 0;
	enum scale_unit u = g_sp.unit;
	switch (g_sp.proto) {
	case SCALE_PROTO_MT8217: n = frame_mt8217(in, &a, f, cap, want, &u); break;
	case SCALE_PROTO_MTSICS: n = frame_mtsics(in, &a, f, cap, want, &u); break;
	case SCALE_PROTO_CAS_CI200: n = frame_cas(in, &a, f, cap, want, &u); break;
	case SCALE_PROTO_XK3190_A9: n = frame_xk3190(in, &a, f, cap, want, &u); break;
	case SCALE_PROTO_XK3190_EQ: n = frame_xk3190eq(in, &a, f, cap, want, &u); break;
	}
	CHECK(scale_grams_from_scaled(a.neg ? -(int64_t)a.mant : (int64_t)a.mant, a.dec, u,
	                              &want->grams) == WF_OK);
	return (size_t)n;
}

/* What ends any partial frame without starting one, so the next frame is
 * read whole: a raw status byte and a CR for the 8217, a line end for
 * MT-SICS, '=' and a spoiling byte for the '=' format; nothing for the
 * others (STX resynchronises, CAS ends in place). */
static void scale_flush(void)
{
	if (g_sp.proto == SCALE_PROTO_MT8217)
		feed_scale((const uint8_t *)"\r\r", 2, NULL);
	else if (g_sp.proto == SCALE_PROTO_MTSICS)
		feed_scale((const uint8_t *)"\n", 1, NULL);
	else if (g_sp.proto == SCALE_PROTO_XK3190_EQ) /* ends a 7-character frame */
		feed_scale((const uint8_t *)"=#", 2, NULL);
}

static void run_scale(struct input *in, bool program, unsigned frag, bool digits_normal)
{
	CHECK(scale_parser_init(&g_sp, FUZZ_PROTO, SCALE_UNIT_KG) == 0);
	if (g_sp.proto == SCALE_PROTO_XK3190_EQ)
		CHECK(scale_parser_digit_order(&g_sp, digits_normal) == 0);
	if (!program) {
		while (in->n) {
			size_t k = in->n < frag ? in->n : frag;
			feed_scale(in->p, k, NULL);
			in->p += k;
			in->n -= k;
		}
		return;
	}
	while (in->n) {
		unsigned op = take(in);
		if (op & 1) {
			size_t k = op >> 1;
			if (k > in->n)
				k = in->n;
			feed_scale(in->p, k, NULL);
			in->p += k;
			in->n -= k;
			continue;
		}
		uint8_t f[64];
		struct scale_reading want, got;
		size_t n = scale_frame(in, f, sizeof f, &want);
		scale_flush();
		CHECK(feed_scale(f, n, &got) == 1);
		CHECK(got.kind == want.kind && got.grams == want.grams &&
		      got.stable == want.stable && got.net == want.net &&
		      got.at_zero == want.at_zero && got.has_zero_flag == want.has_zero_flag);
	}
}

/* ---- em4100 ------------------------------------------------------------------ */

static int feed_em(const uint8_t *b, size_t n, struct card_event *last)
{
	int queued = em4100_feed(&g_em, b, n, g_now), got = 0;
	CHECK(queued >= 0);
	struct card_event ev;
	while (em4100_next(&g_em, &ev)) {
		CHECK(strnlen(ev.number, sizeof ev.number) == 10);
		CHECK(strnlen(ev.id, sizeof ev.id) == 17 && !memcmp(ev.id, "em4100:", 7));
		CHECK(cardid_valid(ev.id)); /* the printed number: 10 decimal digits */
		if (last)
			*last = ev;
		got++;
	}
	CHECK(got == (queued > CARD_QUEUE_MAX ? CARD_QUEUE_MAX : queued));
	return got;
}

static void run_em4100(struct input *in, bool program, unsigned frag)
{
	em4100_init(&g_em, 0);
	g_now = 0;
	while (in->n) {
		if (!program) {
			size_t k = in->n < frag ? in->n : frag;
			g_now += in->p[0] * 7; /* gaps of 0..1.8 s between fragments */
			feed_em(in->p, k, NULL);
			in->p += k;
			in->n -= k;
			continue;
		}
		unsigned op = take(in);
		if (op & 1) {
			g_now += take(in);
			size_t k = op >> 1;
			if (k > in->n)
				k = in->n;
			feed_em(in->p, k, NULL);
			in->p += k;
			in->n -= k;
			continue;
		}
		/* a tap: a new card after a silence is one event, then its repeats
		 * while held are none */
		char num[11];
		snprintf(num, sizeof num, "%02X%08X", take(in), (unsigned)take32(in));
		uint8_t f[14];
		CHECK(em4100_encode(num, f, sizeof f) == 14);
		g_now += EM4100_RELEASE_MS;
		struct card_event ev;
		CHECK(feed_em(f, sizeof f, &ev) == 1);
		CHECK(!strcmp(ev.number, num));
		char id[CARDID_MAX];
		CHECK(cardid_em4100(strtoull(num, NULL, 16), id, sizeof id) == 0);
		CHECK(!strcmp(ev.id, id));
		int repeats = (int)(op >> 1 & 7);
		for (int i = 0; i < repeats; i++) {
			g_now += 100;
			CHECK(feed_em(f, sizeof f, NULL) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	unsigned mode = take(&in);
	bool program = mode & 1;
	unsigned frag = 1 + (mode >> 1) % 64;
	if (!strcmp(FUZZ_PROTO, "em4100"))
		run_em4100(&in, program, frag);
	else
		run_scale(&in, program, frag, mode & 0x80);
	return 0;
}
