/*
 * sim.h — internals of wufei-devsim, the device simulator (devices/sim/).
 *
 * For: the simulator's own files only. Each simulated device is a struct
 * sim_dev: a pseudo-terminal (and optionally a TCP listener) plus the state
 * of the device it plays. sim_main.c runs one poll() loop over every fd and
 * calls the role code (sim_scale.c, sim_card.c, sim_printer.c) when bytes
 * arrive from the host or a timer is due; the role code answers by queueing
 * bytes with sim_dev_send().
 *
 * Not for: the kiosk. Nothing here is linked into wufei-kiosk.
 */
#ifndef WUFEI_SIM_H
#define WUFEI_SIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_NAME_MAX  32
#define SIM_DIR_MAX   200 /* bytes of --dir incl. NUL */
#define SIM_PATH_MAX  (SIM_DIR_MAX + 64)
#define SIM_OUT_MAX   16384 /* bytes queued towards the host; more is dropped */
#define SIM_IN_MAX    512   /* bytes of a host command line kept */
#define SIM_STREAM_MS 100   /* stream scales send a frame this often */
#define SIM_CARD_MS   100   /* a held card repeats its frame this often */
#define SIM_CARD_HOLD 600   /* default time a card is held, ms */

enum sim_role { SIM_SCALE, SIM_CARD, SIM_PRINTER };

enum sim_proto {
	SIM_MT8217,
	SIM_MTSICS,
	SIM_CAS,
	SIM_XK3190,
	SIM_XK3190_EQ,
	SIM_EM4100,
	SIM_ESCPOS,
};

enum sim_unit { SIM_UNIT_G, SIM_UNIT_KG, SIM_UNIT_LB, SIM_UNIT_T };

/* CAS output formats (an indicator setting): the 22-byte one the kiosk reads,
 * and the 18- and 10-byte ones it only names. */
enum sim_cas_format { SIM_CAS_22 = 0, SIM_CAS_18, SIM_CAS_10 };

struct sim_printer; /* sim_printer.c */

struct sim_dev {
	char name[SIM_NAME_MAX];
	enum sim_role role;
	enum sim_proto proto;
	enum sim_unit unit;

	/* plumbing (sim_main.c) */
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
};

struct sim {
	char dir[SIM_DIR_MAX];
	uint64_t rng;
	int64_t seed; /* --seed, printed in the JSON */
	struct sim_dev *devs[16];
	size_t ndevs;
};

/* time and randomness */
int64_t sim_now_ms(void);
uint32_t sim_rand(struct sim *s);

/* sim_main.c: queue bytes for the host (dropped when unplugged or over the cap) */
void sim_dev_send(struct sim_dev *d, const void *buf, size_t len);

/* sim_scale.c */
void sim_scale_input(struct sim_dev *d, const uint8_t *buf, size_t len, int64_t now_ms);
void sim_scale_tick(struct sim_dev *d, int64_t now_ms);
int64_t sim_scale_next_ms(const struct sim_dev *d);
int64_t sim_scale_net_g(const struct sim_dev *d);
/* Encode a value in the scale's unit: "1.250" (kg), "1250" (g), "2.756" (lb),
 * "1.250" (t, for 1250 kg). */
void sim_scale_format(const struct sim_dev *d, int64_t grams, char *buf, size_t len);
const char *sim_unit_name(enum sim_unit u);

/* sim_card.c */
int sim_card_start(struct sim_dev *d, const char *hex, int hold_ms, int64_t now_ms);
void sim_card_tick(struct sim_dev *d, int64_t now_ms);
int64_t sim_card_next_ms(const struct sim_dev *d);

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
