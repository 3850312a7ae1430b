/*
 * test_transport.c — the transports over real ptys (through the real
 * libserialport, with tests/support/pty_shim.c linked in) and real loopback
 * TCP sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "pty_shim.h"
#include "transport.h"
#include "wf.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

struct pty {
	int master;
	char pts[64];
	char dir[64];
	char link[128];
};

static void pty_make(struct pty *p)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(p->master >= 0);
	assert_int_equal(grantpt(p->master), 0);
	assert_int_equal(unlockpt(p->master), 0);
	assert_int_equal(ptsname_r(p->master, p->pts, sizeof(p->pts)), 0);
	/* a UART does not echo: make the line raw before anyone writes */
	int sl = open(p->pts, O_RDWR | O_NOCTTY);
	struct termios tio;
	assert_true(sl >= 0);
	assert_int_equal(tcgetattr(sl, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(sl, TCSANOW, &tio), 0);
	close(sl);
	snprintf(p->dir, sizeof(p->dir), "/tmp/wufei-tt.XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	/* like /dev/serial/by-id/usb-...: a symlink to the real node */
	snprintf(p->link, sizeof(p->link), "%s/usb-FTDI_FT232R-if00-port0", p->dir);
	assert_int_equal(symlink(p->pts, p->link), 0);
}

static void pty_free(struct pty *p)
{
	if (p->master >= 0)
		close(p->master);
	unlink(p->link);
	rmdir(p->dir);
}

static void test_line_parse(void **state)
{
	(void)state;
	struct transport_line l;
	assert_int_equal(transport_line_parse("9600 7E1", &l), WF_OK);
	assert_int_equal(l.baud, 9600);
	assert_int_equal(l.data_bits, 7);
	assert_int_equal(l.parity, 'E');
	assert_int_equal(l.stop_bits, 1);
	assert_int_equal(transport_line_parse("115200,8N2,rtscts", &l), WF_OK);
	assert_int_equal(l.baud, 115200);
	assert_int_equal(l.stop_bits, 2);
	assert_int_equal(l.flow, TRANSPORT_FLOW_RTSCTS);
	assert_int_equal(transport_line_parse("9600 9X1", &l), WF_EINVAL);
	assert_int_equal(transport_line_parse("", &l), WF_EINVAL);
	assert_int_equal(transport_line_parse("fast", &l), WF_EINVAL);
	assert_int_equal(transport_line_parse("96OO 8N1", &l), WF_EINVAL);
}

/* A by-id style symlink opens through libserialport, the line settings reach
 * the tty, stale input is flushed, bytes flow both ways. */
static void test_serial_symlink_roundtrip(void **state)
{
	(void)state;
	struct pty p;
	struct transport *t = NULL;
	struct transport_line l;
	char spec[160], err[TRANSPORT_ERR_MAX];
	uint8_t buf[64];
	pty_make(&p);
	/* bytes sent before the port is opened: must be flushed */
	assert_int_equal(write(p.master, "STALE", 5), 5);
	assert_int_equal(transport_line_parse("9600 7E1", &l), WF_OK);
	snprintf(spec, sizeof(spec), "serial:%s", p.link);
	int rc = transport_open(spec, &l, 0, NULL, &t, err, sizeof(err));
	if (rc)
		fail_msg("open %s: %s", spec, err);
	unsigned cflag = 0;
	assert_int_equal(pty_shim_cflag(transport_fd(t), &cflag), 0);
	assert_int_equal(cflag & CSIZE, CS7);
	assert_true(cflag & PARENB);
	assert_false(cflag & PARODD);
	assert_false(cflag & CSTOPB);
	/* nothing waiting: the stale bytes are gone */
	assert_int_equal(transport_wait(t, -1, 50), TRANSPORT_TIMEOUT);
	assert_int_equal(transport_write(t, (const uint8_t *)"W", 1, 500), 1);
	assert_int_equal(read(p.master, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'W');
	assert_int_equal(write(p.master, "\x02  1.250\r", 9), 9);
	size_t got = 0;
	while (got < 9) {
		assert_int_equal(transport_wait(t, -1, 2000), TRANSPORT_READABLE);
		int n = transport_read(t, buf + got, sizeof(buf) - got);
		assert_true(n >= 0);
		got += (size_t)n;
	}
	assert_memory_equal(buf, "\x02  1.250\r", 9);
	transport_close(t);
	pty_free(&p);
}

/* Unplug = the master closes: the next wait reports a hang-up, not "no data",
 * and bytes sent just before the hang-up are still delivered first. */
static void test_serial_hangup(void **state)
{
	(void)state;
	struct pty p;
	struct transport *t = NULL;
	char spec[160], err[TRANSPORT_ERR_MAX];
	uint8_t buf[16];
	pty_make(&p);
	snprintf(spec, sizeof(spec), "serial:%s", p.link);
	assert_int_equal(transport_open(spec, NULL, 0, NULL, &t, err, sizeof(err)), WF_OK);
	assert_int_equal(write(p.master, "AB", 2), 2);
	close(p.master);
	p.master = -1;
	int r = transport_wait(t, -1, 2000);
	if (r == TRANSPORT_READABLE) {
		int n = transport_read(t, buf, sizeof(buf));
		assert_true(n == 2 || n == WF_EIO);
		if (n == 2)
			r = transport_wait(t, -1, 2000);
		else
			r = n;
	}
	assert_int_equal(r, WF_EIO);
	assert_non_null(strstr(transport_errmsg(t), "hung up"));
	/* and it stays dead */
	assert_int_equal(transport_read(t, buf, sizeof(buf)), WF_EIO);
	assert_int_equal(transport_write(t, buf, 1, 100), WF_EIO);
	transport_close(t);
	pty_free(&p);
}

static void test_open_errors(void **state)
{
	(void)state;
	struct transport *t = (struct transport *)1;
	char err[TRANSPORT_ERR_MAX];
	assert_int_equal(
	    transport_open("serial:/nonexistent/ttyUSB9", NULL, 0, NULL, &t, err, sizeof(err)),
	    WF_ENOENT);
	assert_null(t);
	assert_true(strlen(err) > 0);
	/* a regular file is not a serial port */
	assert_true(transport_open("serial:/etc/hostname", NULL, 0, NULL, &t, err, sizeof(err)) <
	            0);
	assert_int_equal(transport_open("usb:/dev/x", NULL, 0, NULL, &t, err, sizeof(err)),
	                 WF_EINVAL);
	assert_int_equal(transport_open("tcp:nohostport", NULL, 0, NULL, &t, err, sizeof(err)),
	                 WF_EINVAL);
	assert_int_equal(transport_open("tcp:127.0.0.1:99999", NULL, 0, NULL, &t, err, sizeof(err)),
	                 WF_EINVAL);
}

struct delayed_link {
	char target[64];
	char link[160];
};

static void *make_link_later(void *arg)
{
	struct delayed_link *dl = arg;
	usleep(100 * 1000);
	char tmp[200];
	snprintf(tmp, sizeof(tmp), "%s.new", dl->link);
	if (symlink(dl->target, tmp) == 0 && rename(tmp, dl->link) != 0)
		unlink(tmp);
	return NULL;
}

/* transport_wait_present sleeps (never spins) until the stable name is back,
 * and says so. */
static void test_wait_present(void **state)
{
	(void)state;
	struct pty p;
	pty_make(&p);
	unlink(p.link);
	char spec[160];
	snprintf(spec, sizeof(spec), "serial:%s", p.link);
	assert_int_equal(transport_wait_present(spec, -1, 10), 0);
	struct delayed_link dl;
	snprintf(dl.target, sizeof(dl.target), "%s", p.pts);
	snprintf(dl.link, sizeof(dl.link), "%s", p.link);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, make_link_later, &dl), 0);
	int r = 0, calls = 0;
	while (r != 1 && calls < 100) {
		r = transport_wait_present(spec, -1, 250);
		calls++;
	}
	pthread_join(th, NULL);
	assert_int_equal(r, 1);
	/* 100 ms at a 250 ms cap: at most a couple of calls, not a spin */
	assert_true(calls <= 3);
	struct transport *t = NULL;
	char err[TRANSPORT_ERR_MAX];
	assert_int_equal(transport_open(spec, NULL, 0, NULL, &t, err, sizeof(err)), WF_OK);
	transport_close(t);
	pty_free(&p);
}

static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_tcp(void **state)
{
	(void)state;
	int port;
	int lfd = listen_loopback(&port);
	char spec[64], err[TRANSPORT_ERR_MAX];
	uint8_t buf[16];
	struct transport *t = NULL;
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	assert_int_equal(transport_open(spec, NULL, 1000, NULL, &t, err, sizeof(err)), WF_OK);
	int peer = accept(lfd, NULL, NULL);
	assert_true(peer >= 0);
	assert_int_equal(transport_write(t, (const uint8_t *)"\x10\x04\x01", 3, 500), 3);
	assert_int_equal(read(peer, buf, sizeof(buf)), 3);
	assert_int_equal(write(peer, "\x12", 1), 1);
	assert_int_equal(transport_wait(t, -1, 2000), TRANSPORT_READABLE);
	assert_int_equal(transport_read(t, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 0x12);
	/* peer closes: a hang-up, reported as such */
	close(peer);
	int r = transport_wait(t, -1, 2000);
	if (r == TRANSPORT_READABLE)
		r = transport_read(t, buf, sizeof(buf));
	assert_int_equal(r, WF_EIO);
	transport_close(t);
	close(lfd);
	/* nobody listening: "not there", so the device thread retries */
	assert_int_equal(transport_open(spec, NULL, 1000, NULL, &t, err, sizeof(err)), WF_ENOENT);
	assert_null(t);
}

/* A write the peer does not take ends at its deadline, on the clock the
 * transport was given: the system's, or a virtual one that never moves (the
 * whole wait passed, whatever that clock says). */
static void test_tcp_write_deadline(void **state)
{
	(void)state;
	int port;
	int lfd = listen_loopback(&port);
	char spec[64], err[TRANSPORT_ERR_MAX];
	size_t big = 64u << 20; /* more than any socket buffer takes */
	uint8_t *buf = calloc(1, big);
	struct wf_clock_virtual v;
	const struct wf_clock *clocks[] = {NULL, &v.clock};
	assert_non_null(buf);
	wf_clock_virtual_init(&v, 5000, 0);
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	for (int i = 0; i < 2; i++) {
		struct transport *t = NULL;
		assert_int_equal(transport_open(spec, NULL, 1000, clocks[i], &t, err, sizeof(err)),
		                 WF_OK);
		int peer = accept(lfd, NULL, NULL); /* connected, never read */
		assert_true(peer >= 0);
		int64_t t0 = wf_clock_mono_ms(wf_clock_system());
		assert_int_equal(transport_write(t, buf, big, 300), WF_ETIMEDOUT);
		int64_t took = wf_clock_mono_ms(wf_clock_system()) - t0;
		assert_true(took >= 250 && took < 5000);
		assert_non_null(strstr(transport_errmsg(t), "timed out"));
		transport_close(t);
		close(peer);
	}
	assert_int_equal(wf_clock_mono_ms(&v.clock), 5000);
	free(buf);
	close(lfd);
}

static void test_wake_fd(void **state)
{
	(void)state;
	struct pty p;
	struct transport *t = NULL;
	char spec[160], err[TRANSPORT_ERR_MAX];
	int pfd[2];
	pty_make(&p);
	snprintf(spec, sizeof(spec), "serial:%s", p.link);
	assert_int_equal(transport_open(spec, NULL, 0, NULL, &t, err, sizeof(err)), WF_OK);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(transport_wait(t, pfd[0], 2000), TRANSPORT_WOKEN);
	close(pfd[0]);
	close(pfd[1]);
	transport_close(t);
	pty_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_parse),
	    cmocka_unit_test(test_serial_symlink_roundtrip),
	    cmocka_unit_test(test_serial_hangup),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_wait_present),
	    cmocka_unit_test(test_tcp),
	    cmocka_unit_test(test_tcp_write_deadline),
	    cmocka_unit_test(test_wake_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
