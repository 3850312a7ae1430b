/*
 * device_codec.h — a device's protocol codec: the bytes a device thread
 * sends (poll, zero/tare, printer status) and the typed events
 * (struct device_event) the bytes it receives make.
 *
 * For: the device threads (device_link.c, device_print.c), `wufei-devsim
 * parse` (the same events from a capture), tests and the fuzz targets.
 * Not for: the kiosk, which gets events from the queue of device.h.
 *
 * Scales and the EM4100 reader go through the pure parsers of devices/proto/
 * (scale_parser.h, em4100.h); the codec maps their readings and card events
 * onto struct device_event, tells a staff-facing notice once, and pairs a
 * zero/tare answer with the command it answers. The ESC/POS printer's
 * real-time status answers (DLE EOT 1 and 4) are read here.
 * No I/O, no clock (now_ms comes in), no threads; one codec per device.
 */
#ifndef WUFEI_DEVICE_CODEC_H
#define WUFEI_DEVICE_CODEC_H

#include "device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A zero/tare command's answer counts if it comes within this (ms). */
#define DEVICE_ANSWER_MS 2000

struct device_codec;

/*
 * device_codec_create — the codec of cfg's protocol (protocol.h's list; it
 * must fit cfg->role) and unit (kg, g, lb, t; "" = kg). Out: *out, NULL on
 * failure. Returns WF_OK, WF_EINVAL (a one-line reason in err) or WF_ENOMEM.
 */
int device_codec_create(const struct device_config *cfg, struct device_codec **out, char *err,
                        size_t err_len);

/* device_codec_destroy — free; NULL is a no-op. */
void device_codec_destroy(struct device_codec *c);

/* device_codec_reset — forget partial frames and pending answers (after a
 * reopen); a notice once given stays given. */
void device_codec_reset(struct device_codec *c);

/* device_codec_polled — true when the device answers only when asked. */
bool device_codec_polled(const struct device_codec *c);

/* Command bytes into buf (cap bytes); each returns the count, 0 if none:
 * once after each open (mt-sics streaming: "SIR"), one reading (polled
 * scales), the printer's status request. */
size_t device_codec_open_cmd(struct device_codec *c, uint8_t *buf, size_t cap);
size_t device_codec_poll_cmd(struct device_codec *c, uint8_t *buf, size_t cap);
size_t device_codec_status_cmd(struct device_codec *c, uint8_t *buf, size_t cap);

/* device_codec_scale_cmd — the bytes of a zero/tare/clear-tare command:
 * their count, or WF_EINVAL when the protocol has no such command. */
int device_codec_scale_cmd(struct device_codec *c, enum device_scale_cmd cmd, uint8_t *buf,
                           size_t cap);

/* device_codec_cmd_sent — the command's bytes went out at now_ms: the
 * scale's next ACK/refusal answers it (DEVICE_EVENT_SCALE_ANSWER) if it
 * comes within DEVICE_ANSWER_MS; ACKs nobody asked for stay unreported. */
void device_codec_cmd_sent(struct device_codec *c, enum device_scale_cmd cmd, int64_t now_ms);

/* device_codec_feed — received bytes at now_ms (any monotonic ms); then take
 * the events (kinds READING, CARD, PRINTER_STATUS, SCALE_ANSWER, NOTICE)
 * with device_codec_next: true and *out, or false when there are none. */
void device_codec_feed(struct device_codec *c, const uint8_t *buf, size_t len, int64_t now_ms);
bool device_codec_next(struct device_codec *c, struct device_event *out);

#endif
