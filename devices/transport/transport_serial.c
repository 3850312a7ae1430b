/*
 * transport_serial.c — the serial backend of transport.h, the only file that
 * includes <libserialport.h>.
 *
 * Why realpath() here: Debian's libserialport 0.1.1 looks the device up under
 * /sys/class/tty by the name it is given, so a /dev/serial/by-id/... symlink
 * fails unless it is resolved first. Hang-up detection is not done here: the
 * caller polls the file descriptor (sp_wait cannot tell a hang-up from no
 * data).
 */
#include "transport.h"
#include "wf.h"

#include <errno.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void serial_set_err(char *err, size_t err_len, const char *what, const char *path)
{
	if (!err || err_len == 0)
		return;
	char *msg = sp_last_error_message();
	snprintf(err, err_len, "%s %s: %s", what, path, msg ? msg : "unknown error");
	if (msg)
		sp_free_error_message(msg);
}

static int serial_errno_to_wf(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO: return WF_ENOENT;
	case EBUSY:
	case EACCES:
	case EAGAIN: return WF_EBUSY;
	default: return WF_EIO;
	}
}

static int serial_apply_line(struct sp_port *port, const struct transport_line *line)
{
	struct sp_port_config *cfg = NULL;
	int rc = WF_EIO;
	int baud = line && line->baud > 0 ? line->baud : 9600;
	int bits = line && line->data_bits > 0 ? line->data_bits : 8;
	int stop = line && line->stop_bits > 0 ? line->stop_bits : 1;
	char par = line && line->parity ? line->parity : 'N';
	enum sp_parity parity = SP_PARITY_NONE;
	enum sp_flowcontrol flow = SP_FLOWCONTROL_NONE;

	if (par == 'E')
		parity = SP_PARITY_EVEN;
	else if (par == 'O')
		parity = SP_PARITY_ODD;
	if (line && line->flow == TRANSPORT_FLOW_RTSCTS)
		flow = SP_FLOWCONTROL_RTSCTS;
	else if (line && line->flow == TRANSPORT_FLOW_XONXOFF)
		flow = SP_FLOWCONTROL_XONXOFF;
	if (sp_new_config(&cfg) != SP_OK)
		goto out;
	if (sp_set_config_baudrate(cfg, baud) != SP_OK || sp_set_config_bits(cfg, bits) != SP_OK ||
	    sp_set_config_parity(cfg, parity) != SP_OK ||
	    sp_set_config_stopbits(cfg, stop) != SP_OK ||
	    sp_set_config_flowcontrol(cfg, flow) != SP_OK)
		goto out;
	if (sp_set_config(port, cfg) != SP_OK)
		goto out;
	rc = WF_OK;
out:
	sp_free_config(cfg);
	return rc;
}

int transport_serial_open(const char *path, const struct transport_line *line, void **sp, int *fd,
                          char *err, size_t err_len)
{
	char real[PATH_MAX];
	struct sp_port *port = NULL;
	int rc = WF_EIO;
	int handle = -1;

	*sp = NULL;
	*fd = -1;
	if (!realpath(path, real)) {
		int e = errno;
		if (err && err_len)
			snprintf(err, err_len, "%s: %s", path, strerror(e));
		rc = serial_errno_to_wf(e);
		goto out;
	}
	if (sp_get_port_by_name(real, &port) != SP_OK) {
		serial_set_err(err, err_len, "no serial port", real);
		/* The node exists but the library does not know it: not a serial device,
		 * or it vanished between realpath() and the lookup. */
		rc = WF_ENOENT;
		goto out;
	}
	if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
		int e = sp_last_error_code();
		serial_set_err(err, err_len, "cannot open", real);
		rc = serial_errno_to_wf(e);
		goto out;
	}
	rc = serial_apply_line(port, line);
	if (rc) {
		serial_set_err(err, err_len, "cannot set line settings on", real);
		rc = WF_EINVAL;
		goto out;
	}
	if (sp_flush(port, SP_BUF_INPUT) != SP_OK || sp_get_port_handle(port, &handle) != SP_OK) {
		serial_set_err(err, err_len, "cannot flush", real);
		rc = WF_EIO;
		goto out;
	}
	*sp = port;
	*fd = handle;
	port = NULL;
	rc = WF_OK;
out:
	if (port) {
		sp_close(port);
		sp_free_port(port);
	}
	return rc;
}

int transport_serial_read(void *sp, uint8_t *buf, size_t cap, char *err, size_t err_len)
{
	enum sp_return r = sp_nonblocking_read(sp, buf, cap);
	if (r < 0) {
		serial_set_err(err, err_len, "read failed on", sp_get_port_name(sp));
		return WF_EIO;
	}
	return (int)r;
}

int transport_serial_write(void *sp, const uint8_t *buf, size_t len, int timeout_ms, char *err,
                           size_t err_len)
{
	enum sp_return r =
	    sp_blocking_write(sp, buf, len, timeout_ms > 0 ? (unsigned)timeout_ms : 1);
	if (r < 0) {
		serial_set_err(err, err_len, "write failed on", sp_get_port_name(sp));
		return WF_EIO;
	}
	if ((size_t)r < len) {
		if (err && err_len)
			snprintf(err, err_len, "write timed out on %s (%d of %zu bytes)",
			         sp_get_port_name(sp), (int)r, len);
		return WF_ETIMEDOUT;
	}
	return (int)r;
}

void transport_serial_close(void *sp)
{
	if (!sp)
		return;
	sp_close(sp);
	sp_free_port(sp);
}
