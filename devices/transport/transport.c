/*
 * transport.c — transport strings, the TCP backend, and the parts every
 * backend shares: waiting with poll() (which is where a hang-up shows as
 * POLLHUP/POLLERR), and sleeping until an unplugged device is back.
 */
#include "transport.h"
#include "clock.h"
#include "wf.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum transport_kind { KIND_SERIAL, KIND_TCP };

struct transport {
	enum transport_kind kind;
	int fd;   /* serial: owned by libserialport; tcp: ours */
	void *sp; /* struct sp_port * for serial */
	bool hung_up;
	bool hup_seen;                /* poll reported a hang-up together with POLLIN */
	bool told_readable;           /* the last wait said READABLE and no read followed */
	const struct wf_clock *clock; /* write deadlines; never NULL */
	char err[TRANSPORT_ERR_MAX];
};

#define WAIT_PRESENT_CAP_MS 250

static void set_err(char *err, size_t err_len, const char *fmt, const char *a, const char *b)
{
	if (err && err_len)
		snprintf(err, err_len, fmt, a, b);
}

/* ---- line settings ---------------------------------------------------- */

static bool line_parse_frame(const char *w, struct transport_line *l)
{
	/* "8N1", "7E1", "8N2" */
	if (strlen(w) != 3 || w[0] < '5' || w[0] > '8' || (w[2] != '1' && w[2] != '2'))
		return false;
	char p = w[1];
	if (p == 'n' || p == 'e' || p == 'o')
		p = (char)(p - 'a' + 'A');
	if (p != 'N' && p != 'E' && p != 'O')
		return false;
	l->data_bits = w[0] - '0';
	l->parity = p;
	l->stop_bits = w[2] - '0';
	return true;
}

int transport_line_parse(const char *s, struct transport_line *out)
{
	assert(s && out);
	struct transport_line l = {.baud = 9600, .data_bits = 8, .parity = 'N', .stop_bits = 1};
	char buf[96];
	size_t n = strlen(s);
	if (n >= sizeof(buf))
		return WF_EINVAL;
	memcpy(buf, s, n + 1);
	char *save = NULL;
	int words = 0;
	for (char *w = strtok_r(buf, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
		words++;
		if (w[0] >= '0' && w[0] <= '9' && strlen(w) > 3) {
			char *end = NULL;
			errno = 0;
			long b = strtol(w, &end, 10);
			if (errno || !end || *end || b < 50 || b > 4000000)
				return WF_EINVAL;
			l.baud = (int)b;
		} else if (line_parse_frame(w, &l)) {
			continue;
		} else if (!strcmp(w, "none")) {
			l.flow = TRANSPORT_FLOW_NONE;
		} else if (!strcmp(w, "rtscts")) {
			l.flow = TRANSPORT_FLOW_RTSCTS;
		} else if (!strcmp(w, "xonxoff")) {
			l.flow = TRANSPORT_FLOW_XONXOFF;
		} else {
			return WF_EINVAL;
		}
	}
	if (words == 0)
		return WF_EINVAL;
	*out = l;
	return WF_OK;
}

/* ---- tcp -------------------------------------------------------------- */

/* Split "HOST:PORT" or "[V6]:PORT" into host and port buffers. */
static int tcp_split(const char *hp, char *host, size_t host_len, char *port, size_t port_len)
{
	const char *colon;
	const char *h = hp;
	size_t hl;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':')
			return WF_EINVAL;
		h = hp + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon)
			return WF_EINVAL;
		hl = (size_t)(colon - hp);
	}
	size_t pl = strlen(colon + 1);
	if (hl == 0 || hl >= host_len || pl == 0 || pl >= port_len)
		return WF_EINVAL;
	char *end = NULL;
	errno = 0;
	long pn = strtol(colon + 1, &end, 10);
	if (errno || !end || *end || pn < 1 || pn > 65535)
		return WF_EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, pl + 1);
	return WF_OK;
}

static int tcp_connect_one(const struct addrinfo *ai, int timeout_ms, int *err_no)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err_no = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			*err_no = errno;
			close(fd);
			return -1;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int pr = poll(&p, 1, timeout_ms);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (pr <= 0) {
			*err_no = pr == 0 ? ETIMEDOUT : errno;
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
			*err_no = soerr ? soerr : errno;
			close(fd);
			return -1;
		}
	}
	int one = 1;
	/* Small command/reply exchanges: do not let Nagle hold a poll command back. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return fd;
}

static int tcp_open(const char *hp, int timeout_ms, int *fd_out, char *err, size_t err_len)
{
	char host[128], port[8];
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = WF_EIO;
	int err_no = 0;

	*fd_out = -1;
	if (tcp_split(hp, host, sizeof(host), port, sizeof(port))) {
		set_err(err, err_len, "bad tcp address '%s'%s (want tcp:HOST:PORT)", hp, "");
		return WF_EINVAL;
	}
	int gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		set_err(err, err_len, "cannot resolve %s: %s", host, gai_strerror(gai));
		rc = WF_ENOENT;
		goto out;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = tcp_connect_one(ai, timeout_ms, &err_no);
		if (fd >= 0) {
			*fd_out = fd;
			rc = WF_OK;
			goto out;
		}
	}
	set_err(err, err_len, "cannot connect to %s: %s", hp, strerror(err_no));
	rc = (err_no == ECONNREFUSED || err_no == EHOSTUNREACH || err_no == ENETUNREACH ||
	      err_no == ETIMEDOUT)
	         ? WF_ENOENT
	         : WF_EIO;
out:
	if (res)
		freeaddrinfo(res);
	return rc;
}

/* ---- public ----------------------------------------------------------- */

int transport_open(const char *spec, const struct transport_line *line, int connect_timeout_ms,
                   const struct wf_clock *clock, struct transport **out, char *err, size_t err_len)
{
	assert(spec && out);
	struct transport *t = NULL;
	int rc;

	*out = NULL;
	if (err && err_len)
		err[0] = '\0';
	if (strlen(spec) >= TRANSPORT_SPEC_MAX) {
		set_err(err, err_len, "transport string too long%s%s", "", "");
		return WF_EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return WF_ENOMEM;
	t->fd = -1;
	t->clock = clock ? clock : wf_clock_system();
	if (!strncmp(spec, "serial:", 7) && spec[7]) {
		t->kind = KIND_SERIAL;
		rc = transport_serial_open(spec + 7, line, &t->sp, &t->fd, err, err_len);
	} else if (!strncmp(spec, "tcp:", 4)) {
		t->kind = KIND_TCP;
		rc = tcp_open(spec + 4, connect_timeout_ms > 0 ? connect_timeout_ms : 2000, &t->fd,
		              err, err_len);
	} else {
		set_err(err, err_len,
		        "unknown transport '%s'%s (want serial:PATH or tcp:HOST:PORT)", spec, "");
		rc = WF_EINVAL;
	}
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	return WF_OK;
}

int transport_wait(struct transport *t, int wake_fd, int timeout_ms)
{
	assert(t);
	struct pollfd p[2] = {
	    {.fd = t->fd, .events = POLLIN | POLLRDHUP},
	    {.fd = wake_fd, .events = POLLIN},
	};
	if (t->hung_up)
		return WF_EIO;
	for (;;) {
		int n = poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(t->err, sizeof(t->err), "poll: %s", strerror(errno));
			return WF_EIO;
		}
		if (n == 0)
			return TRANSPORT_TIMEOUT;
		/* Bytes that arrived before a hang-up are still delivered first; the
		 * hang-up shows again on the next wait once they are read. */
		if (p[0].revents & (POLLHUP | POLLERR | POLLRDHUP))
			t->hup_seen = true;
		if (p[0].revents & POLLIN) {
			t->told_readable = true;
			return TRANSPORT_READABLE;
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL | POLLRDHUP)) {
			t->hung_up = true;
			snprintf(t->err, sizeof(t->err), "%s",
			         t->kind == KIND_TCP ? "connection closed by peer"
			                             : "device hung up (unplugged)");
			return WF_EIO;
		}
		if (wake_fd >= 0 && (p[1].revents & POLLIN))
			return TRANSPORT_WOKEN;
	}
}

int transport_read(struct transport *t, uint8_t *buf, size_t cap)
{
	assert(t && buf);
	if (t->hung_up)
		return WF_EIO;
	if (cap > INT_MAX)
		cap = INT_MAX;
	bool was_readable = t->told_readable;
	t->told_readable = false;
	if (t->kind == KIND_SERIAL) {
		int n = transport_serial_read(t->sp, buf, cap, t->err, sizeof(t->err));
		/* A tty that polls readable but reads nothing has hung up. */
		if (n == 0 && (was_readable || t->hup_seen)) {
			snprintf(t->err, sizeof(t->err), "%s", "device hung up (unplugged)");
			n = WF_EIO;
		}
		if (n < 0)
			t->hung_up = true;
		return n;
	}
	ssize_t n = recv(t->fd, buf, cap, MSG_DONTWAIT);
	if (n > 0)
		return (int)n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	t->hung_up = true;
	snprintf(t->err, sizeof(t->err), "%s",
	         n == 0 ? "connection closed by peer" : strerror(errno));
	return WF_EIO;
}

static int tcp_write(struct transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	size_t done = 0;
	int64_t deadline = wf_clock_mono_ms(t->clock) + (timeout_ms > 0 ? timeout_ms : 1);
	while (done < len) {
		ssize_t n = send(t->fd, buf + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			t->hung_up = true;
			snprintf(t->err, sizeof(t->err), "send: %s", strerror(errno));
			return WF_EIO;
		}
		int64_t left = deadline - wf_clock_mono_ms(t->clock);
		struct pollfd p = {.fd = t->fd, .events = POLLOUT};
		/* A wait that ran its whole length is the end too, whatever the
		 * clock says (a virtual clock may not move). */
		int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (pr == 0) {
			snprintf(t->err, sizeof(t->err), "write timed out (%zu of %zu bytes)", done,
			         len);
			return WF_ETIMEDOUT;
		}
		if (pr > 0 && (p.revents & (POLLHUP | POLLERR))) {
			t->hung_up = true;
			snprintf(t->err, sizeof(t->err), "%s", "connection closed by peer");
			return WF_EIO;
		}
	}
	return (int)len;
}

int transport_write(struct transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	assert(t && (buf || len == 0));
	if (t->hung_up)
		return WF_EIO;
	if (len > INT_MAX)
		return WF_EINVAL;
	if (len == 0)
		return 0;
	if (t->kind == KIND_TCP)
		return tcp_write(t, buf, len, timeout_ms);
	/* A write into a hung-up tty may not fail at once: check first. */
	struct pollfd p = {.fd = t->fd, .events = POLLOUT};
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		t->hung_up = true;
		snprintf(t->err, sizeof(t->err), "%s", "device hung up (unplugged)");
		return WF_EIO;
	}
	int n = transport_serial_write(t->sp, buf, len, timeout_ms, t->err, sizeof(t->err));
	if (n == WF_EIO)
		t->hung_up = true;
	return n;
}

const char *transport_errmsg(const struct transport *t)
{
	return t ? t->err : "";
}

int transport_fd(const struct transport *t)
{
	assert(t);
	return t->fd;
}

void transport_close(struct transport *t)
{
	if (!t)
		return;
	if (t->kind == KIND_SERIAL)
		transport_serial_close(t->sp);
	else if (t->fd >= 0)
		close(t->fd);
	free(t);
}

/* ---- waiting for a device to come back --------------------------------- */

static int wait_fd_or_sleep(int fd, int wake_fd, int ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
	int n = poll(p, 2, ms);
	if (n > 0 && wake_fd >= 0 && (p[1].revents & POLLIN))
		return TRANSPORT_WOKEN;
	return 0;
}

static bool serial_present(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0; /* follows symlinks: a dangling link is "not there" */
}

bool transport_present(const char *spec)
{
	assert(spec);
	return strncmp(spec, "serial:", 7) != 0 || serial_present(spec + 7);
}

int transport_wait_present(const char *spec, int wake_fd, int max_ms)
{
	assert(spec);
	int ms = max_ms > WAIT_PRESENT_CAP_MS || max_ms <= 0 ? WAIT_PRESENT_CAP_MS : max_ms;
	if (strncmp(spec, "serial:", 7) != 0) {
		int r = wait_fd_or_sleep(-1, wake_fd, ms);
		return r ? r : 1;
	}
	const char *path = spec + 7;
	if (serial_present(path))
		return 1;
	/* Watch the directory of the stable name: udev (or wufei-devsim) creates or
	 * renames the link there when the device comes back. The directory itself
	 * may be missing (/dev/serial/by-id goes away with the last adapter): then
	 * the capped sleep alone brings us back. */
	char dir[TRANSPORT_SPEC_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(dir))
		n = sizeof(dir) - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		memcpy(dir, ".", 2);
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd >= 0 && inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0) {
		close(ifd);
		ifd = -1;
	}
	/* Re-check after the watch is in place so a link made in between is seen. */
	int r = serial_present(path) ? 1 : wait_fd_or_sleep(ifd, wake_fd, ms);
	if (ifd >= 0)
		close(ifd);
	if (r == TRANSPORT_WOKEN)
		return r;
	return serial_present(path) ? 1 : 0;
}
