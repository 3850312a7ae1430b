/*
 * sim_card.c — the device side of an RDM6300 / EM4100 125 kHz reader: while a
 * card is held it repeats the 14-byte frame STX, 10 hex, 2 hex XOR, ETX every
 * SIM_CARD_MS, as a real reader does; then the card is "taken away". The
 * frame is em4100_encode's, the one the kiosk's parser reads.
 */
#include "em4100.h"
#include "sim.h"

#include <string.h>

int sim_card_start(struct sim_dev *d, const char *hex, int hold_ms, int64_t now_ms)
{
	uint8_t f[EM4100_FRAME];
	/* the frame of the number checks it is 10 hex characters (either case) */
	if (em4100_encode(hex, f, sizeof f) != sizeof f)
		return -1;
	memcpy(d->card, f + 1, 10); /* as the reader sends it: upper case */
	d->card[10] = '\0';
	d->card_until_ms = now_ms + (hold_ms > 0 ? hold_ms : SIM_CARD_HOLD);
	d->next_card_ms = now_ms;
	return 0;
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
	uint8_t f[EM4100_FRAME];
	if (em4100_encode(d->card, f, sizeof f) == sizeof f)
		sim_dev_send(d, f, sizeof f);
	d->next_card_ms = now_ms + SIM_CARD_MS;
}
