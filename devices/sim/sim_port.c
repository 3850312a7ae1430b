/*
 * sim_port.c — the plumbing of a simulated device: its pty and stable link
 * DIR/NAME, the optional TCP listener (one client at a time, like a serial
 * device server), plug and unplug, and the bytes it sends towards the host
 * (at once, or in slow mode 1-3 bytes at a time).
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>

static void write_now(struct sim_dev *d, const uint8_t *buf, size_t len)
{
	if (d->master >= 0) {
		ssize_t n = write(d->master, buf, len);
		if (n < (ssize_t)len)
			d->dropped += len - (n > 0 ? (size_t)n : 0);
	}
	if (d->tcp_client >= 0) {
		ssize_t n = send(d->tcp_client, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < (ssize_t)len)
			d->dropped += len - (n > 0 ? (size_t)n : 0);
	}
}

void sim_port_send_now(struct sim_dev *d, const void *buf, size_t len)
{
	if (d->plugged && !d->powered_off)
		write_now(d, buf, len);
}

void sim_dev_send(struct sim_dev *d, const void *buf, size_t len)
{
	if (!d->plugged || d->powered_off)
		return;
	if (!d->slow) {
		write_now(d, buf, len);
		return;
	}
	if (d->out_len + len > sizeof(d->out)) {
		d->dropped += len;
		return;
	}
	memcpy(d->out + d->out_len, buf, len);
	d->out_len += len;
}

/* Slow mode: 1-3 bytes at a time, 2-7 ms apart: fragments a frame the way a
 * slow line or a device server's packetising does. */
void sim_port_tick(struct sim *s, struct sim_dev *d, int64_t now)
{
	if (!d->out_len || now < d->next_out_ms)
		return;
	size_t n = 1 + sim_rand(s) % 3;
	if (n > d->out_len)
		n = d->out_len;
	write_now(d, d->out, n);
	memmove(d->out, d->out + n, d->out_len - n);
	d->out_len -= n;
	d->next_out_ms = now + 2 + sim_rand(s) % 6;
}

static int tcp_listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int sim_port_plug(struct sim_dev *d, char *err, size_t err_len)
{
	struct termios t;
	char tmp[SIM_PATH_MAX + 8];
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, d->pts, sizeof(d->pts))) {
		snprintf(err, err_len, "cannot create a pty: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	int sl = open(d->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0 || tcgetattr(sl, &t) < 0) {
		snprintf(err, err_len, "cannot open %s: %s", d->pts, strerror(errno));
		close(m);
		if (sl >= 0)
			close(sl);
		return -1;
	}
	/* Raw from the start: no echo of what the device sends back to it. */
	cfmakeraw(&t);
	tcsetattr(sl, TCSANOW, &t);
	snprintf(tmp, sizeof(tmp), "%s.new", d->link);
	unlink(tmp);
	if (symlink(d->pts, tmp) < 0 || rename(tmp, d->link) < 0) {
		snprintf(err, err_len, "cannot link %s: %s", d->link, strerror(errno));
		close(m);
		close(sl);
		return -1;
	}
	d->master = m;
	d->slave_keep = sl;
	if (d->want_tcp) {
		d->tcp_listen = tcp_listen_on(d->tcp_port);
		if (d->tcp_listen >= 0 && d->tcp_port == 0) {
			struct sockaddr_in a;
			socklen_t al = sizeof(a);
			getsockname(d->tcp_listen, (struct sockaddr *)&a, &al);
			d->tcp_port = ntohs(a.sin_port);
		}
	}
	d->plugged = true;
	d->in_len = 0;
	d->out_len = 0;
	d->sir = false;
	if (d->printer)
		sim_printer_reset(d->printer);
	return 0;
}

void sim_port_unplug(struct sim_dev *d)
{
	/* The link goes first, as udev removes it: a client that reacts to the
	 * hang-up at once must not find the old name. */
	unlink(d->link);
	/* Likewise the listener closes before the connection: a client that
	 * reconnects at once must be refused, not accepted and then reset. */
	if (d->tcp_listen >= 0)
		close(d->tcp_listen);
	if (d->tcp_client >= 0)
		close(d->tcp_client);
	if (d->master >= 0)
		close(d->master);
	if (d->slave_keep >= 0)
		close(d->slave_keep);
	d->master = d->slave_keep = d->tcp_client = d->tcp_listen = -1;
	d->plugged = false;
	d->out_len = 0;
	d->card[0] = '\0';
}

void sim_port_flush(struct sim_dev *d)
{
	if (d->out_len)
		write_now(d, d->out, d->out_len);
	d->out_len = 0;
}
