/*
 * sim_card.c — the device side of an RDM6300 / EM4100 125 kHz reader: while a
 * card is held it repeats the 14-byte frame STX, 10 hex, 2 hex XOR, ETX every
 * SIM_CARD_MS, as a real reader does; then the card is "taken away".
 */
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sim_card_start(struct sim_dev *d, const char *hex, int hold_ms, int64_t now_ms)
{
	if (strlen(hex) != 10)
		return -1;
	for (int i = 0; i < 10; i++) {
		if (hexval(hex[i]) < 0)
			return -1;
		d->card[i] = (char)toupper((unsigned char)hex[i]);
	}
	d->card[10] = '\0';
	d->card_until_ms = now_ms + (hold_ms > 0 ? hold_ms : SIM_CARD_HOLD);
	d->next_card_ms = now_ms;
	return 0;
}

static void card_frame(struct sim_dev *d)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t f[14];
	uint8_t x = 0;
	f[0] = 0x02;
	memcpy(f + 1, d->card, 10);
	for (int i = 0; i < 5; i++)
		x ^= (uint8_t)(hexval(d->card[2 * i]) << 4 | hexval(d->card[2 * i + 1]));
	f[11] = (uint8_t)hex[x >> 4];
	f[12] = (uint8_t)hex[x & 15];
	f[13] = 0x03;
	sim_dev_send(d, f, sizeof(f));
}

int64_t sim_card_next_ms(const struct sim_dev *d)
{
	return d->card[0] ? d->next_card_ms : INT64_MAX;
}

void sim_card_tick(struct sim_dev *d, int64_t now_ms)
{
	if (!d->card[0] || now_ms < d->next_card_ms)
		return;
	if (now_ms >= d->card_until_ms) {
		d->card[0] = '\0'; /* released */
		return;
	}
	card_frame(d);
	d->next_card_ms = now_ms + SIM_CARD_MS;
}
