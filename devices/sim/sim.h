/*
 * sim.h — internals of wufei-devsim, the device simulator (devices/sim/).
 *
 * For: the simulator's own files only. Each simulated device is a struct
 * sim_dev: a pseudo-terminal (and optionally a TCP listener) plus the state
 * of the device it plays. sim_main.c runs one poll() loop over every fd and
 * calls the role code (sim_scale.c, sim_card.c, sim_printer.c) when bytes
 * arrive from the host or a timer is due; the role code answers by queueing
 * bytes with sim_dev_send(). sim_port.c is the plumbing (ptys, TCP, plug
 * and unplug, bytes towards the host); sim_command.c the command language
 * (`weight 1250`, `unplug scale`, ...); sim_parse.c `wufei-devsim parse`.
 * Protocols and roles are protocol.h's (the one list).
 *
 * Not for: the kiosk. Nothing here is linked into wufei-kiosk.
 */
#ifndef WUFEI_SIM_H
#define WUFEI_SIM_H

#include "protocol.h"
#include "scale.h" /* enum scale_unit: a scale's unit is kg, g, lb or t */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_NAME_MAX     32
#define SIM_DIR_MAX      200 /* bytes of --dir incl. NUL */
#define SIM_PATH_MAX     (SIM_DIR_MAX + 64)
#define SIM_OUT_MAX      16384 /* bytes queued towards the host; more is dropped */
#define SIM_IN_MAX       512   /* bytes of a host command line kept */
#define SIM_STREAM_MS    100   /* stream scales send a frame this often */
#define SIM_CARD_MS      100   /* a held card repeats its frame this often */
#define SIM_CARD_HOLD    600   /* default time a card is held, ms */
/* A slow printer (sim_pace.c): its input buffer, XOFF at HIGH bytes held,
 * XON at LOW, and it prints BYTES every STEP_MS (1,500 bytes a second). */
#define SIM_PACE_BUFFER  512
#define SIM_PACE_HIGH    384
#define SIM_PACE_LOW     64
#define SIM_PACE_BYTES   30
#define SIM_PACE_STEP_MS 20

/* CAS output formats (an indicator setting): the 22-byte one the kiosk reads,
 * and the 18- and 10-byte ones it only names. */
enum sim_cas_format { SIM_CAS_22 = 0, SIM_CAS_18, SIM_CAS_10 };

struct sim_printer; /* sim_printer.c */

struct sim_dev {
	char name[SIM_NAME_MAX];
	enum device_role role;
	const struct protocol *proto; /* protocol.h's entry; its role is role */
	enum scale_unit unit;

	/* plumbing (sim_port.c) */
	bool plugged;
	int master;     /* pty master, -1 when unplugged */
	int slave_keep; /* our own slave fd: keeps the master from seeing EOF */
	char pts[64];   /* /dev/pts/N */
	char link[SIM_PATH_MAX];
	bool want_tcp;
	int tcp_listen; /* -1 if none */
	int tcp_client; /* -1 if none */
	int tcp_port;
	uint8_t out[SIM_OUT_MAX];
	size_t out_len;
	bool slow;           /* send in small fragments with gaps */
	int64_t next_out_ms; /* slow mode: next fragment */
	uint64_t dropped;    /* bytes dropped because nobody read them */
	uint8_t in[SIM_IN_MAX];
	size_t in_len;

	bool powered_off; /* `power DEV off`: deaf and mute, line still open */

	/* scale */
	int64_t load_g; /* what lies on the platform */
	int64_t zero_g; /* zero offset */
	int64_t tare_g; /* 0 = no tare */
	bool motion, overload, refuse;
	bool sir;                       /* MT-SICS SIR: repeat immediate weight */
	bool digits_normal;             /* xk3190-eq: reading order (else lowest digit first) */
	enum sim_cas_format cas_format; /* cas-ci200 output format */
	int64_t next_stream_ms;
	uint32_t jitter;

	/* card */
	char card[16];
	int64_t card_until_ms;
	int64_t next_card_ms;

	/* printer */
	struct sim_printer *printer;
	uint8_t held[SIM_PACE_BUFFER]; /* slow: received, not printed yet */
	size_t held_len;
	bool held_paused;      /* slow: XOFF sent, XON not yet */
	int64_t next_print_ms; /* slow: when the next bytes print */
	uint64_t overrun;      /* slow: bytes lost to a full buffer */
};

struct sim {
	char dir[SIM_DIR_MAX];
	char control[108]; /* --control socket path; "" = none */
	uint64_t rng;
	int64_t seed; /* --seed, printed in the JSON */
	struct sim_dev *devs[16];
	size_t ndevs;
	bool quit; /* the `quit` command was given */
};

/* sim_main.c: time (the system's monotonic clock) and randomness */
int64_t sim_now_ms(void);
uint32_t sim_rand(struct sim *s);

/* sim_port.c: the plumbing of one device */
/* sim_dev_send — queue bytes for the host (dropped when unplugged, powered
 * off or over the cap; in slow mode sent in fragments by sim_port_tick). */
void sim_dev_send(struct sim_dev *d, const void *buf, size_t len);
/* sim_port_plug — a new pty and the link DIR/NAME renamed over the old one
 * (and the TCP listener with --tcp). Returns 0, or -1 with a reason in err. */
int sim_port_plug(struct sim_dev *d, char *err, size_t err_len);
/* sim_port_unplug — remove the link, close the listener, the connection and
 * the pty master: whoever has the port open sees a hang-up. */
void sim_port_unplug(struct sim_dev *d);
/* sim_port_send_now — bytes to the host at once, even in slow mode. */
void sim_port_send_now(struct sim_dev *d, const void *buf, size_t len);
/* sim_port_flush — write out at once what slow mode holds back. */
void sim_port_flush(struct sim_dev *d);
/* sim_port_tick — slow mode: the next fragment when it is due. */
void sim_port_tick(struct sim *s, struct sim_dev *d, int64_t now_ms);

/* sim_command.c: the command language (README "Commands") */
/* sim_command_run — carry out one command line (changed in place); the
 * answer line, "ok ..." or "error: ...", without newline, into ans. */
void sim_command_run(struct sim *s, char *line, char *ans, size_t len);
/* sim_devices_json — the JSON object of every device (malloc'd; NULL when
 * out of memory). */
char *sim_devices_json(const struct sim *s);
/* sim_dev_find — the device named name, or NULL. */
struct sim_dev *sim_dev_find(struct sim *s, const char *name);
/* sim_parse_i64 — w as a decimal integer in lo..hi: true and *out. */
bool sim_parse_i64(const char *w, int64_t lo, int64_t hi, int64_t *out);

/* sim_scale.c */
void sim_scale_input(struct sim_dev *d, const uint8_t *buf, size_t len, int64_t now_ms);
void sim_scale_tick(struct sim_dev *d, int64_t now_ms);
int64_t sim_scale_next_ms(const struct sim_dev *d);
int64_t sim_scale_net_g(const struct sim_dev *d);
/* Encode a value in the scale's unit: "1.250" (kg), "1250" (g), "2.756" (lb),
 * "1.250" (t, for 1250 kg). */
void sim_scale_format(const struct sim_dev *d, int64_t grams, char *buf, size_t len);

/* sim_card.c */
int sim_card_start(struct sim_dev *d, const char *hex, int hold_ms, int64_t now_ms);
void sim_card_tick(struct sim_dev *d, int64_t now_ms);
int64_t sim_card_next_ms(const struct sim_dev *d);

/* sim_pace.c: a slow printer (buffer, pace, XON/XOFF) */
/* sim_pace_input — bytes from the host into the buffer (XOFF when full). */
void sim_pace_input(struct sim_dev *d, const uint8_t *buf, size_t len, int64_t now_ms);
/* sim_pace_next_ms — when sim_pace_tick has work; INT64_MAX for none. */
int64_t sim_pace_next_ms(const struct sim_dev *d);
/* sim_pace_tick — print the next few bytes when due (XON when emptied). */
void sim_pace_tick(struct sim *s, struct sim_dev *d, int64_t now_ms);
/* sim_pace_drain — slow mode ends (print: what is held prints at once,
 * and XON) or the printer loses power (nothing prints). */
void sim_pace_drain(struct sim *s, struct sim_dev *d, bool print);

/* sim_printer.c */
struct sim_printer *sim_printer_create(const char *dir, const char *name);
void sim_printer_destroy(struct sim_printer *p);
void sim_printer_reset(struct sim_printer *p);
void sim_printer_input(struct sim_dev *d, const uint8_t *buf, size_t len, struct sim *s);
void sim_printer_set_corrupt(struct sim_printer *p, bool on);
int sim_printer_set_paper(struct sim_printer *p, const char *state);
void sim_printer_set_offline(struct sim_printer *p, bool on);
/* Receipts rendered so far and the paths of the last one ("" if none). */
int sim_printer_receipts(const struct sim_printer *p, const char **png, const char **txt);

/* sim_png.c: write a 1-bit image (1 = black) as an 8-bit grey PNG with a white
 * margin of margin px; bits are rows of (w + 7) / 8 bytes, MSB first. */
int sim_png_write(const char *path, const uint8_t *bits, int w, int h, int margin, int scale);

/* sim_parse.c: `wufei-devsim parse PROTOCOL [--unit kg|g|lb]` */
int sim_parse_main(int argc, char **argv);

#endif
