/*
 * fuzz_untrusted.c — libFuzzer targets for what arrives from the network or
 * a file: canonical record bytes (central decodes every kiosk's records),
 * down-sync JSON (the kiosk applies central's answer), receipt tokens and
 * URLs (anyone can type one into central's page), key events from a
 * keyboard-wedge reader. One source, one target
 * per FUZZ_WHAT. A decoded record must re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "downsync.h"
#include "receipt.h"
#include "record.h"
#include "wedge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if FUZZ_WHAT == 1
	struct wf_record r;
	char why[128];
	if (wf_record_decode(data, size, &r, why, sizeof why) == 0) {
		uint8_t again[WF_RECORD_MAX_LEN];
		int n = wf_record_encode(&r, again, sizeof again);
		if (n < 0 || (size_t)n != size || memcmp(again, data, size))
			__builtin_trap(); /* canonical means one encoding */
	}
#elif FUZZ_WHAT == 2
	struct downsync d;
	char why[256];
	if (downsync_parse((const char *)data, size, &d, why, sizeof why) == 0)
		downsync_free(&d);
#elif FUZZ_WHAT == 3
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct receipt r;
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	receipt_parse(s, &r, payload, sig);
	free(s);
#elif FUZZ_WHAT == 4
	/* key events: (key, gap in ms) byte pairs into a keyboard-wedge reader */
	struct wedge w;
	struct wedge_config cfg = {"em4100", size && (data[0] & 1), 10, 0};
	if (!wedge_init(&w, &cfg))
		__builtin_trap();
	int64_t now = 0;
	for (size_t i = 1; i + 1 < size; i += 2) {
		char id[WEDGE_ID_MAX];
		now += data[i + 1];
		if (wedge_key(&w, data[i], now, id, sizeof id) && strncmp(id, "em4100:", 7))
			__builtin_trap();
	}
#endif
	return 0;
}
