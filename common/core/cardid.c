/*
 * cardid.c — canonical card ids (pure: libc only, library wufei_core, so
 * the device parsers can build ids; their keyed hashes are cardid_hash.c's).
 */
#include "cardid.h"

#include "wf.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static bool tech_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool number_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static bool tech_valid(const char *t, size_t n)
{
	if (n == 0 || n >= CARDID_TECH_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!tech_char(t[i]))
			return false;
	return true;
}

/* EM4100: the number printed on the card, exactly 10 decimal digits of a
 * 32-bit value (DESIGN "Card identity"). */
static bool em4100_number_valid(const char *num, size_t n)
{
	if (n != CARDID_EM4100_DIGITS)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (num[i] < '0' || num[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(num[i] - '0');
	}
	return v <= UINT32_MAX;
}

bool cardid_valid(const char *id)
{
	if (!id)
		return false;
	const char *colon = memchr(id, ':', strnlen(id, CARDID_MAX));
	if (!colon || !tech_valid(id, (size_t)(colon - id)))
		return false;
	const char *num = colon + 1;
	size_t n = strnlen(num, CARDID_NUMBER_MAX);
	if (n == 0 || n >= CARDID_NUMBER_MAX)
		return false;
	if (colon - id == 6 && !memcmp(id, "em4100", 6))
		return em4100_number_valid(num, n);
	for (size_t i = 0; i < n; i++)
		if (!number_char(num[i]))
			return false;
	return true;
}

int cardid_em4100(uint64_t number, char *out, size_t cap)
{
	assert(out || !cap);
	if (cap)
		out[0] = '\0';
	if (number > CARDID_EM4100_MAX)
		return WF_EINVAL;
	/* the version (customer) byte is not printed on the card: drop it */
	unsigned long v = (unsigned long)(number & UINT32_MAX);
	int n = snprintf(out, cap, "em4100:%010lu", v);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return WF_ENOMEM;
	}
	return WF_OK;
}

int cardid_format(const char *technology, const char *number, char *out, size_t cap)
{
	assert(out || !cap);
	if (cap)
		out[0] = '\0';
	if (!technology || !number)
		return WF_EINVAL;
	size_t tl = strnlen(technology, CARDID_TECH_MAX);
	size_t nl = strnlen(number, CARDID_NUMBER_MAX);
	if (!tech_valid(technology, tl) || nl == 0 || nl >= CARDID_NUMBER_MAX)
		return WF_EINVAL;
	char num[CARDID_NUMBER_MAX];
	for (size_t i = 0; i < nl; i++) {
		char c = number[i];
		num[i] = c >= 'a' && c <= 'f' ? (char)(c - 'a' + 'A') : c;
		if (!number_char(num[i]))
			return WF_EINVAL;
	}
	if (tl + 1 + nl + 1 > cap)
		return WF_ENOMEM;
	memcpy(out, technology, tl);
	out[tl] = ':';
	memcpy(out + tl + 1, num, nl);
	out[tl + 1 + nl] = '\0';
	if (!cardid_valid(out)) {
		out[0] = '\0'; /* e.g. an em4100 number that is not 10 decimal digits */
		return WF_EINVAL;
	}
	return WF_OK;
}
