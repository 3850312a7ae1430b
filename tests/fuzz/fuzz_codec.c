/*
 * fuzz_codec.c — libFuzzer target: any bytes from a device into its
 * protocol codec (devices/device/device_codec.c). Built once per protocol with
 * FUZZ_PROTOCOL and FUZZ_ROLE. The first input byte splits the rest into
 * fragments, as a serial port hands data over in pieces.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "device_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct device_config cfg;
	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.name, sizeof cfg.name, "fuzz");
	snprintf(cfg.protocol, sizeof cfg.protocol, "%s", FUZZ_PROTOCOL);
	cfg.role = FUZZ_ROLE;
	snprintf(cfg.unit, sizeof cfg.unit, "kg");
	struct device_codec *c = NULL;
	char err[128];
	if (device_codec_create(&cfg, &c, err, sizeof err) != 0)
		__builtin_trap();
	size_t step = size ? (size_t)(data[0] % 17) + 1 : 1;
	int64_t now = 0;
	for (size_t at = size ? 1 : 0; at < size; at += step) {
		size_t n = size - at < step ? size - at : step;
		if (data[at] % 29 == 0) /* now and then a zero/tare/clear went out */
			device_codec_cmd_sent(c, (enum device_scale_cmd)(1 + at % 3), now);
		device_codec_feed(c, data + at, n, now);
		now += data[at] * 7; /* gaps of 0..1.8 s between fragments */
		struct device_event ev;
		while (device_codec_next(c, &ev)) {
			/* Strings terminated; a notice's text is printable for a log. */
			if (ev.kind == DEVICE_EVENT_CARD &&
			    (strnlen(ev.u.card.id, sizeof ev.u.card.id) == sizeof ev.u.card.id))
				__builtin_trap();
			if (strnlen(ev.reason, sizeof ev.reason) == sizeof ev.reason ||
			    strnlen(ev.u.answer.code, sizeof ev.u.answer.code) ==
			        sizeof ev.u.answer.code)
				__builtin_trap();
			for (const char *r = ev.reason; *r; r++)
				if ((unsigned char)*r < 0x20 || *r == 0x7f)
					__builtin_trap();
		}
	}
	device_codec_destroy(c);
	return 0;
}
