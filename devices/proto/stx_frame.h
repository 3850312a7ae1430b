/*
 * stx_frame.h — the STX body ETX framing an RDM6300 card reader and an
 * XK3190 A9 indicator share (private to devices/proto). Pure.
 */
#ifndef WUFEI_STX_FRAME_H
#define WUFEI_STX_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STX 0x02
#define ETX 0x03

/*
 * stx_frame_byte — one byte b of a stream. STX starts a body (on every STX:
 * a parser resynchronises); ETX ends it; any other byte inside a body is
 * kept in body[*len], unless ok (may be NULL: any byte) refuses it or the
 * body already holds want bytes, which drops the frame until the next STX.
 * *in_frame and *len are the parser's state (false, 0 to begin).
 * Returns true when b ended a body of exactly want bytes (in body).
 */
bool stx_frame_byte(bool *in_frame, size_t *len, uint8_t *body, size_t want, bool (*ok)(uint8_t b),
                    uint8_t b);

#endif
