/*
 * sim_pace.c — a slow printer (`slow PRINTER on`): what the host sends goes
 * into a small input buffer and is printed a few bytes at a time, as a real
 * printer's mechanism does, and the printer asks the host to pause with
 * XOFF when the buffer fills and to go on with XON when it has room again
 * (ESC/POS serial printers' software flow control). A host that ignores
 * XOFF overruns the buffer and the bytes that do not fit are lost, as on a
 * real printer; a host with `flow = xonxoff` waits, and its print job takes
 * as long as the printing does.
 */
#include "sim.h"

#include <string.h>

#define XON  0x11
#define XOFF 0x13

static void send_now(struct sim_dev *d, uint8_t b)
{
	/* flow control goes out at once, ahead of anything slow mode holds */
	sim_port_send_now(d, &b, 1);
}

void sim_pace_input(struct sim_dev *d, const uint8_t *buf, size_t len, int64_t now_ms)
{
	size_t room = sizeof d->held - d->held_len;
	size_t take = len < room ? len : room;
	memcpy(d->held + d->held_len, buf, take);
	d->held_len += take;
	d->overrun += len - take;
	if (!d->held_paused && d->held_len >= SIM_PACE_HIGH) {
		send_now(d, XOFF);
		d->held_paused = true;
	}
	if (d->next_print_ms < now_ms)
		d->next_print_ms = now_ms + SIM_PACE_STEP_MS;
}

int64_t sim_pace_next_ms(const struct sim_dev *d)
{
	return d->held_len ? d->next_print_ms : INT64_MAX;
}

void sim_pace_tick(struct sim *s, struct sim_dev *d, int64_t now_ms)
{
	if (!d->held_len || now_ms < d->next_print_ms)
		return;
	size_t n = d->held_len < SIM_PACE_BYTES ? d->held_len : SIM_PACE_BYTES;
	sim_printer_input(d, d->held, n, s);
	memmove(d->held, d->held + n, d->held_len - n);
	d->held_len -= n;
	d->next_print_ms = now_ms + SIM_PACE_STEP_MS;
	if (d->held_paused && d->held_len <= SIM_PACE_LOW) {
		send_now(d, XON);
		d->held_paused = false;
	}
}

void sim_pace_drain(struct sim *s, struct sim_dev *d, bool print)
{
	if (print && d->held_len)
		sim_printer_input(d, d->held, d->held_len, s);
	d->held_len = 0;
	if (d->held_paused) {
		if (print)
			send_now(d, XON);
		d->held_paused = false;
	}
}
