/*
 * test_central_idle.c — 1,000 connections held open against one central
 * (issue 13: city scale), from 50 loopback addresses (127.0.0.2 ..
 * 127.0.0.51, 20 each: under the per-address cap, so they are let in, not
 * refused), each dribbling a request head that never ends. Central runs
 * with --max-connections 2048 (libmicrohttpd splits the cap evenly between
 * the server's threads, and accepts do not spread evenly: a cap just over
 * the connections expected is reached in one thread first) and a head
 * deadline long enough that it holds all of them; a kiosk on 127.0.0.1
 * must still have every batch, heartbeat and time asked answered right. The test raises its own
 * descriptor limit (RLIMIT_NOFILE, soft to hard); `serve` raises central's
 * to --max-connections + 64 itself (cmd_serve.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ops_support.h"

#define HOLDERS   1000
#define PER_ADDR  20
#define ROUNDS    10
#define PER_BATCH 20
#define HEAD      "POST /api/v1/sync/batch HTTP/1.1\r\nHost: central\r\nX-Slow: "

/* A non-blocking connection to port from 127.0.0.(2 + i / PER_ADDR). */
static int holder_connect(int port, unsigned i)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	struct sockaddr_in from = {.sin_family = AF_INET};
	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + i / PER_ADDR);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = connect(fd, (struct sockaddr *)&to, sizeof to);
	assert_true(rc == 0 || errno == EINPROGRESS);
	return fd;
}

/* Every holder's connection established (central's kernel took it); the
 * test's generous bound: 600 polls of 100 ms. */
static void wait_connected(const int *fd, unsigned n)
{
	static struct pollfd p[HOLDERS];
	unsigned done = 0;
	for (int round = 0; round < 600 && done < n; round++) {
		for (unsigned i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = fd[i], .events = POLLOUT};
		poll(p, n, 100);
		done = 0;
		for (unsigned i = 0; i < n; i++)
			done += (p[i].revents & POLLOUT) != 0;
	}
	assert_int_equal(done, n);
	for (unsigned i = 0; i < n; i++) {
		int err = -1;
		socklen_t len = sizeof err;
		assert_int_equal(getsockopt(fd[i], SOL_SOCKET, SO_ERROR, &err, &len), 0);
		assert_int_equal(err, 0);
	}
}

/* One more byte of every holder's head (the first line at first); how
 * many the server closed (end of file, reset, or a refusal answered). */
static unsigned dribble_all(int *fd, unsigned n, bool first)
{
	static struct pollfd p[HOLDERS];
	unsigned closed = 0;
	for (unsigned i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = fd[i], .events = POLLIN | POLLRDHUP};
	poll(p, n, 0);
	for (unsigned i = 0; i < n; i++) {
		closed += p[i].revents != 0;
		const char *bytes = first ? HEAD : "a";
		send(fd[i], bytes, strlen(bytes), MSG_NOSIGNAL);
	}
	return closed;
}

/* The sockets process pid holds (its open connections and its listener). */
static unsigned sockets_of(pid_t pid)
{
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	unsigned n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char fdpath[320];
		snprintf(fdpath, sizeof fdpath, "%s/%s", path, e->d_name);
		ssize_t len = readlink(fdpath, link, sizeof link - 1);
		if (len > 0) {
			link[len] = '\0';
			n += strncmp(link, "socket:", 7) == 0;
		}
	}
	closedir(d);
	return n;
}

/* The soft descriptor limit raised to the hard one: whether it is enough. */
static bool raise_fd_limit(void)
{
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur >= HOLDERS + 64)
		return true;
	print_message("skipped: the hard descriptor limit (%llu) is under %d: raise it (ulimit "
	              "-Hn) to run this test\n",
	              (unsigned long long)rl.rlim_cur, HOLDERS + 64);
	return false;
}

static void test_thousand_held(void **state)
{
	(void)state;
	if (!raise_fd_limit())
		skip();
	char dir[] = "/tmp/wufei-idle-test-XXXXXX", url[600], ra[16], err[64];
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/central.db", dir);
	ops_store(url, dir);
	struct central_proc c;
	/* room for them all, 32 per address (the default); a head deadline that
	 * lets the holders stay (their dribbling keeps the idle timeout away) */
	assert_int_equal(
	    harness_start_args(
	        &c, url, 0,
	        (const char *const[]){"--head-timeout", "3600", "--max-connections", "2048", NULL}),
	    0);
	static int fd[HOLDERS];
	for (unsigned i = 0; i < HOLDERS; i++)
		fd[i] = holder_connect(c.port, i);
	wait_connected(fd, HOLDERS);
	unsigned closed = dribble_all(fd, HOLDERS, true);
	struct ops_tally t = {0};
	struct ops_kiosk k = {.kiosk = 7, .next = 1};
	for (unsigned r = 1; r <= ROUNDS; r++) {
		closed += dribble_all(fd, HOLDERS, false);
		assert_int_equal(ops_send(c.port, &k, PER_BATCH, &t, NULL), 200);
		char hb[200];
		snprintf(hb, sizeof hb,
		         "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":%u,"
		         "\"outbox_depth\":0,\"software_version\":\"0.1.0\",\"devices\":[]}",
		         r * PER_BATCH);
		assert_int_equal(
		    ops_request(c.port, "POST", "/api/v1/kiosk/heartbeat", hb, 7, ra, err), 200);
		assert_int_equal(ops_request(c.port, "GET", "/api/v1/time", NULL, 0, ra, err), 200);
	}
	closed += dribble_all(fd, HOLDERS, false);
	/* all the while central held every one of them, and closed none */
	unsigned held = sockets_of(c.pid);
	print_message("central holds %u sockets; %u holders closed\n", held, closed);
	assert_int_equal(closed, 0);
	assert_true(held >= HOLDERS);
	assert_int_equal(t.stored, ROUNDS * PER_BATCH);
	assert_int_equal(t.duplicate + t.conflict + t.other, 0);
	for (unsigned i = 0; i < HOLDERS; i++)
		close(fd[i]);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	ops_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_thousand_held),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
