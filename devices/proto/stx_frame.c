/* stx_frame.c — STX body ETX framing; see stx_frame.h. */
#include "stx_frame.h"

bool stx_frame_byte(bool *in_frame, size_t *len, uint8_t *body, size_t want, bool (*ok)(uint8_t b),
                    uint8_t b)
{
	if (b == STX) {
		*in_frame = true;
		*len = 0;
	} else if (!*in_frame) {
		return false;
	} else if (b == ETX) {
		*in_frame = false;
		return *len == want;
	} else if (*len == want || (ok && !ok(b))) {
		*in_frame = false; /* not a frame: wait for the next STX */
	} else {
		body[(*len)++] = b;
	}
	return false;
}
