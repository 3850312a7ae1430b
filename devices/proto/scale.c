/*
 * scale.c — units, decimal text to integer grams, and the readings queue
 * shared by the scale parsers. No floating point: a value is a mantissa and
 * a count of decimals all the way through.
 */
#include "scale.h"

#include "wf.h"

#include <assert.h>
#include <string.h>

#define MANTISSA_LIMIT 100000000000LL /* 10^11 */

int scale_unit_parse(const char *name, enum scale_unit *out)
{
	assert(out);
	if (!name || !name[0] || !strcmp(name, "kg"))
		*out = SCALE_UNIT_KG;
	else if (!strcmp(name, "g"))
		*out = SCALE_UNIT_G;
	else if (!strcmp(name, "lb"))
		*out = SCALE_UNIT_LB;
	else if (!strcmp(name, "mg"))
		*out = SCALE_UNIT_MG;
	else if (!strcmp(name, "t"))
		*out = SCALE_UNIT_T;
	else if (!strcmp(name, "oz"))
		*out = SCALE_UNIT_OZ;
	else
		return WF_EINVAL;
	return WF_OK;
}

const char *scale_unit_name(enum scale_unit u)
{
	switch (u) {
	case SCALE_UNIT_KG: return "kg";
	case SCALE_UNIT_G: return "g";
	case SCALE_UNIT_LB: return "lb";
	case SCALE_UNIT_MG: return "mg";
	case SCALE_UNIT_T: return "t";
	case SCALE_UNIT_OZ: return "oz";
	}
	return "?";
}

int scale_grams_from_scaled(int64_t mantissa, int decimals, enum scale_unit u, int64_t *out)
{
	assert(out);
	if (mantissa <= -MANTISSA_LIMIT || mantissa >= MANTISSA_LIMIT || decimals < 0 ||
	    decimals > 9)
		return WF_EINVAL;
	int64_t a = mantissa < 0 ? -mantissa : mantissa;
	int64_t div = 1;
	for (int i = 0; i < decimals; i++)
		div *= 10;
	/* grams = a * num / div; every product stays below 2^63 because
	 * a < 10^11, 45359237 < 2^26, 10^6 < 2^20 and div <= 1.6 * 10^15. */
	switch (u) {
	case SCALE_UNIT_G: break;
	case SCALE_UNIT_KG: a *= 1000; break;
	case SCALE_UNIT_MG: div *= 1000; break;
	case SCALE_UNIT_T:
		if (a / div >= 10000000)
			return WF_EINVAL; /* 10,000 t: no scale weighs that, a frame is garbage */
		a *= 1000000;
		break;
	case SCALE_UNIT_LB:
		a *= 45359237;
		div *= 100000;
		break;
	case SCALE_UNIT_OZ:
		a *= 45359237;
		div *= 1600000;
		break;
	default: return WF_EINVAL;
	}
	/* Half away from zero: round the magnitude half up, then restore the
	 * sign. div is 1 or even, so div / 2 is exact. */
	int64_t g = (a + div / 2) / div;
	*out = mantissa < 0 ? -g : g;
	return WF_OK;
}

int scale_grams_from_decimal(const char *s, size_t len, enum scale_unit u, int64_t *out)
{
	assert(out);
	if (!s)
		return WF_EINVAL;
	size_t i = 0;
	bool neg = false;
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && (s[i] == '-' || s[i] == '+')) {
		neg = s[i] == '-';
		i++;
		while (i < len && s[i] == ' ')
			i++;
	}
	int64_t mant = 0;
	int digits = 0, significant = 0, decimals = -1;
	for (; i < len && s[i] != ' '; i++) {
		char c = s[i];
		if (c == '.') {
			if (decimals >= 0)
				return WF_EINVAL;
			decimals = 0;
			continue;
		}
		if (c < '0' || c > '9')
			return WF_EINVAL;
		digits++;
		if (mant || c != '0')
			significant++;
		if (significant > 11)
			return WF_EINVAL;
		if (decimals >= 0 && ++decimals > 9)
			return WF_EINVAL;
		mant = mant * 10 + (c - '0');
	}
	while (i < len && s[i] == ' ')
		i++;
	if (i != len || digits == 0)
		return WF_EINVAL;
	return scale_grams_from_scaled(neg ? -mant : mant, decimals < 0 ? 0 : decimals, u, out);
}

void scale_queue_clear(struct scale_queue *q)
{
	q->head = 0;
	q->count = 0;
}

void scale_queue_push(struct scale_queue *q, const struct scale_reading *r)
{
	if (q->count == SCALE_QUEUE_MAX) {
		/* Nobody took the oldest in time: a newer reading supersedes it. */
		q->head = (q->head + 1) % SCALE_QUEUE_MAX;
		q->count--;
		q->dropped++;
	}
	q->r[(q->head + q->count) % SCALE_QUEUE_MAX] = *r;
	q->count++;
}

bool scale_queue_pop(struct scale_queue *q, struct scale_reading *out)
{
	if (!q->count)
		return false;
	*out = q->r[q->head];
	q->head = (q->head + 1) % SCALE_QUEUE_MAX;
	q->count--;
	return true;
}
