/*
 * ledger_mark.c — the high-water mark beside the journal (PATH.hwm): the
 * highest seq and its chain hash, written after every append, so that a
 * journal copied back from a backup can tell it is behind the numbers the
 * kiosk already used (ledger_resume_after_mark).
 *
 * The mark is one line: "wufei-hwm-1 <kiosk, 10 digits> <seq, 20 digits>
 * <hash, 64 hex>\n". Best effort and unsynced: a mark that lags behind the
 * journal is harmless; a torn or foreign one is no evidence.
 */
#include "ledger_private.h"

#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"

#define MARK_LEN 109 /* "wufei-hwm-1 " + 10 + " " + 20 + " " + 64 + "\n" */

static int mark_format(uint32_t kiosk, uint64_t seq, const uint8_t hash[WF_HASH_BYTES], char *out)
{
	char hex[WF_HASH_HEX];
	hex_encode(hash, WF_HASH_BYTES, hex, sizeof hex);
	return snprintf(out, MARK_LEN + 1, "wufei-hwm-1 %010" PRIu32 " %020" PRIu64 " %s\n", kiosk,
	                seq, hex);
}

/* n decimal digits at text into *out; false on anything else or overflow. */
static bool digits(const char *text, int n, uint64_t *out)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	*out = v;
	return true;
}

/* Parses a mark; false if it is not exactly one well-formed line. */
static bool mark_parse(const char *text, size_t len, uint32_t *kiosk, uint64_t *seq,
                       uint8_t hash[WF_HASH_BYTES])
{
	if (len != MARK_LEN || memcmp(text, "wufei-hwm-1 ", 12) != 0 || text[22] != ' ' ||
	    text[43] != ' ' || text[MARK_LEN - 1] != '\n')
		return false;
	uint64_t k = 0, q = 0;
	if (!digits(text + 12, 10, &k) || !digits(text + 23, 20, &q))
		return false;
	if (k == 0 || k > UINT32_MAX || q == 0 ||
	    hex_decode(text + 44, 2 * WF_HASH_BYTES, hash, WF_HASH_BYTES) != WF_OK)
		return false;
	*kiosk = (uint32_t)k;
	*seq = q;
	return true;
}

void ledger_mark_note(struct ledger *l, uint64_t seq, const uint8_t hash[WF_HASH_BYTES])
{
	if (!l->mark_path)
		return;
	if (l->mark_fd < 0)
		l->mark_fd = open(l->mark_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	char text[MARK_LEN + 1];
	if (l->mark_fd >= 0 && mark_format(l->kiosk, seq, hash, text) == MARK_LEN &&
	    pwrite(l->mark_fd, text, MARK_LEN, 0) != MARK_LEN) {
		close(l->mark_fd); /* try again with a fresh descriptor next time */
		l->mark_fd = -1;
	}
}

bool ledger_mark_read(struct ledger *l, uint64_t *seq, uint8_t hash[WF_HASH_BYTES])
{
	char text[MARK_LEN + 2];
	int fd = l->mark_path ? open(l->mark_path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return false; /* no mark yet: nothing known beyond the journal */
	ssize_t n = pread(fd, text, sizeof text, 0);
	close(fd);
	uint32_t kiosk;
	/* torn, foreign or another kiosk's: no evidence */
	return n > 0 && mark_parse(text, (size_t)n, &kiosk, seq, hash) && kiosk == l->kiosk;
}

int ledger_resume_after_mark(struct ledger *l, int64_t time_ms, uint64_t *after)
{
	assert(l && after);
	*after = 0;
	uint64_t seq, last = 0;
	uint8_t hash[WF_HASH_BYTES];
	if (!ledger_mark_read(l, &seq, hash))
		return 0;
	int r = ledger_last(l, &last, NULL);
	if (r)
		return r;
	if (seq <= last)
		return 0;
	struct wf_record e;
	memset(&e, 0, sizeof e);
	e.kind = WF_RECORD_EPOCH;
	e.time_ms = time_ms;
	e.epoch.reason = WF_EPOCH_RESTORED;
	e.epoch.after_seq = seq;
	memcpy(e.epoch.hash, hash, WF_HASH_BYTES);
	r = ledger_append(l, &e, NULL, NULL, NULL);
	if (r)
		return r;
	*after = seq;
	return 1;
}
