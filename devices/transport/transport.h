/*
 * transport.h — a thin byte port: open / read / write / wait / close over a
 * serial line (libserialport) or a TCP connection.
 *
 * For: device threads (devices/device/) and tools that talk to a scale, a card
 * reader or a receipt printer. A transport carries bytes and tells a hang-up
 * (device unplugged, peer closed) apart from "no data yet"; it knows nothing of
 * any protocol.
 *
 * Not for: parsing, retry policy or threads. Reopening after a hang-up is the
 * caller's job; transport_wait_present() helps it sleep until the device is
 * back without a busy loop.
 *
 * Transport strings:
 *   serial:/dev/ttyUSB0              a serial device; symlinks such as
 *   serial:/dev/serial/by-id/usb-... /dev/serial/by-id/... are resolved with
 *                                    realpath() on every open, so a replugged
 *                                    adapter is found under its stable name
 *   tcp:HOST:PORT                    serial device servers, network printers
 *   tcp:[::1]:9100                   (port 9100); IPv6 literals in brackets
 *
 * Only devices/transport/transport_serial.c includes <libserialport.h>.
 * Handles are not thread-safe: one thread owns a transport.
 */
#ifndef WUFEI_TRANSPORT_H
#define WUFEI_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define TRANSPORT_SPEC_MAX 256 /* bytes incl. NUL of a transport string */
#define TRANSPORT_ERR_MAX  160 /* bytes incl. NUL of an error text */

enum transport_flow {
	TRANSPORT_FLOW_NONE = 0,
	TRANSPORT_FLOW_RTSCTS = 1,
	TRANSPORT_FLOW_XONXOFF = 2,
};

/* Serial line settings; ignored by tcp:. Zero fields mean the default. */
struct transport_line {
	int baud;                 /* bits per second; 0 = 9600 */
	int data_bits;            /* 5..8; 0 = 8 */
	char parity;              /* 'N', 'E', 'O'; 0 = 'N' */
	int stop_bits;            /* 1 or 2; 0 = 1 */
	enum transport_flow flow; /* flow control */
};

/* Result of transport_wait(). Failures are negative enum wf_err values. */
enum transport_ready {
	TRANSPORT_TIMEOUT = 0,  /* nothing happened within timeout_ms */
	TRANSPORT_READABLE = 1, /* bytes are waiting: transport_read will not block */
	TRANSPORT_WOKEN = 2,    /* wake_fd became readable (the caller drains it) */
};

struct transport;

/*
 * transport_line_parse — parse "9600 7E1", "9600,8N1,rtscts", "19200 8N1 xonxoff"
 * (fields separated by spaces or commas; "none", "rtscts", "xonxoff" flow).
 * In: s (not NULL). Out: *out filled on success, untouched on failure.
 * Returns WF_OK or WF_EINVAL.
 */
int transport_line_parse(const char *s, struct transport_line *out);

/*
 * transport_open — open a transport string (see above). For serial, resolves
 * the path with realpath(), opens through libserialport, applies the line
 * settings and flushes the input buffer (stale bytes are a known source of a
 * garbage first reply). For tcp, connects with a timeout.
 * In: spec (not NULL), line (NULL = defaults), connect_timeout_ms (tcp only;
 * <= 0 means 2000), clock (NULL = wf_clock_system(); must outlive the
 * handle): the clock of the write deadlines, err/err_len (may be NULL/0):
 * receives a one-line reason on failure. Out: *out = the new handle, or NULL
 * on failure.
 * Returns WF_OK; WF_ENOENT when the device or host is not there (yet);
 * WF_EINVAL for a bad string or setting; WF_EBUSY when it is in use;
 * WF_EIO otherwise. Blocks at most connect_timeout_ms.
 */
int transport_open(const char *spec, const struct transport_line *line, int connect_timeout_ms,
                   const struct wf_clock *clock, struct transport **out, char *err, size_t err_len);

/*
 * transport_wait — sleep until bytes can be read, wake_fd is readable, the
 * line hangs up, or timeout_ms passes (< 0 = forever).
 * In: t (not NULL), wake_fd (< 0 = none). Returns enum transport_ready, or
 * WF_EIO when the device hung up (unplugged, peer closed): the handle is then
 * dead and should be closed. A hang-up is told apart from "no data" by poll()
 * flags on the file descriptor, not by a 0-byte read.
 */
int transport_wait(struct transport *t, int wake_fd, int timeout_ms);

/*
 * transport_read — read what is waiting, at most cap bytes; never blocks.
 * Returns the byte count (0 = nothing waiting), or WF_EIO on a hang-up.
 */
int transport_read(struct transport *t, uint8_t *buf, size_t cap);

/*
 * transport_write — write all len bytes, blocking at most timeout_ms overall
 * (a serial line at 9600 baud moves ~960 bytes a second).
 * Returns len, WF_ETIMEDOUT when not everything went out in time, or WF_EIO on
 * a hang-up or error.
 */
int transport_write(struct transport *t, const uint8_t *buf, size_t len, int timeout_ms);

/* transport_errmsg — text of the last failure on t (never NULL; "" if none). */
const char *transport_errmsg(const struct transport *t);

/* transport_fd — the file descriptor, for poll() by the owner; not to be closed. */
int transport_fd(const struct transport *t);

/* transport_close — close and free; NULL is a no-op. */
void transport_close(struct transport *t);

/*
 * transport_wait_present — sleep until the device named by spec may be back:
 * for serial, until the path (after symlinks) exists, watching its directory
 * with inotify; for tcp, a plain sleep. Never sleeps longer than max_ms and
 * never longer than 250 ms per call, so a missed notification costs at most
 * a quarter second and the loop around it costs almost no CPU.
 * In: spec, wake_fd (< 0 = none), max_ms (> 0).
 * Returns 1 if the path exists now (or tcp: the sleep ended), 0 if not yet,
 * TRANSPORT_WOKEN if wake_fd became readable.
 */
int transport_wait_present(const char *spec, int wake_fd, int max_ms);

/*
 * transport_present — true when the device may be there: for serial, the path
 * (after symlinks) exists; tcp is always "maybe". Never blocks. A device
 * thread whose open fails although the device is present backs off instead
 * of waiting for it to appear.
 */
bool transport_present(const char *spec);

/*
 * Internal: the serial backend (transport_serial.c, the one file that includes
 * <libserialport.h>) as transport.c calls it. Not for other modules.
 * sp is an opaque struct sp_port *; returns as the public functions above.
 */
int transport_serial_open(const char *path, const struct transport_line *line, void **sp, int *fd,
                          char *err, size_t err_len);
int transport_serial_read(void *sp, uint8_t *buf, size_t cap, char *err, size_t err_len);
int transport_serial_write(void *sp, const uint8_t *buf, size_t len, int timeout_ms, char *err,
                           size_t err_len);
void transport_serial_close(void *sp);

#endif
