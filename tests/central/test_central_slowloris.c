/*
 * test_central_slowloris.c — slow clients against a real wufei-central over
 * loopback (issue 12, "Hardening"). Attackers connect from 127.0.0.2 (the
 * loopback answers every 127/8 address) and dribble a request head that
 * never ends, one byte at a time; a normal client on 127.0.0.1 must be
 * answered correctly all along, and the attackers' connections must be
 * closed (end of file seen by the attacker) by the head deadline or the
 * per-address cap. Central runs with a short head deadline (2 s) so the
 * test stays short; nothing here asserts a time, only what was answered and
 * what was closed, within the generous bound of ROUND_LIMIT ticks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "signing.h"

#define ATTACKERS   300
#define TICK_MS     100
#define ROUND_LIMIT 400 /* ticks: the test's generous bound (40 s) */
#define HEAD        "GET /api/v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

struct attacker {
	int fd;
	bool head_sent;
	unsigned dribbled; /* bytes dribbled on this connection after the head */
};

struct attack {
	int port;
	struct attacker a[ATTACKERS];
	unsigned n;
	unsigned closed;           /* connections the server closed */
	unsigned closed_dribbling; /* of them, after 5 or more bytes were dribbled */
	bool reconnect;            /* a closed attacker connects again */
};

/* A non-blocking connection from 127.0.0.2 to central's port. */
static int attacker_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	struct sockaddr_in from = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = connect(fd, (struct sockaddr *)&to, sizeof to);
	assert_true(rc == 0 || errno == EINPROGRESS);
	return fd;
}

/* Whether the server closed x's connection (end of file or reset). */
static bool server_closed(struct attacker *x)
{
	char buf[512];
	for (;;) {
		ssize_t r = recv(x->fd, buf, sizeof buf, 0);
		if (r == 0)
			return true;
		if (r < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			       errno != ENOTCONN;
	}
}

/* One byte more of a head that never ends (the whole first line at first). */
static void dribble(struct attacker *x)
{
	if (!x->head_sent) {
		if (send(x->fd, HEAD, strlen(HEAD), MSG_NOSIGNAL) == (ssize_t)strlen(HEAD))
			x->head_sent = true;
		return;
	}
	if (send(x->fd, "a", 1, MSG_NOSIGNAL) == 1)
		x->dribbled++;
}

/* One tick of the attack: closed connections counted (and opened again). */
static void attack_tick(struct attack *t)
{
	struct pollfd p[ATTACKERS];
	for (unsigned i = 0; i < t->n; i++)
		p[i] = (struct pollfd){.fd = t->a[i].fd, .events = POLLIN | POLLRDHUP};
	poll(p, t->n, 0);
	for (unsigned i = 0; i < t->n; i++) {
		struct attacker *x = &t->a[i];
		if (x->fd >= 0 && p[i].revents && server_closed(x)) {
			t->closed++;
			t->closed_dribbling += x->dribbled >= 5;
			close(x->fd);
			*x = (struct attacker){.fd = t->reconnect ? attacker_connect(t->port) : -1};
		} else if (x->fd >= 0) {
			dribble(x);
		}
	}
	nanosleep(&(struct timespec){0, TICK_MS * 1000000L}, NULL);
}

static void attack_start(struct attack *t, int port, unsigned n)
{
	memset(t, 0, sizeof *t);
	t->port = port;
	t->n = n;
	t->reconnect = true;
	for (unsigned i = 0; i < n; i++)
		t->a[i] = (struct attacker){.fd = attacker_connect(port)};
}

static void attack_end(struct attack *t)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->a[i].fd >= 0)
			close(t->a[i].fd);
}

/* The normal client: a kiosk on 127.0.0.1 asking the time and sending heartbeats. */
struct client {
	struct fx *f;
	unsigned rounds;
	atomic_uint answered; /* answers that were right */
	atomic_bool done;
};

static bool time_answered(struct fx *f)
{
	struct http_answer a;
	bool ok = harness_request(f->c.port, "GET", "/api/v1/time", NULL, 0, NULL, 0, 0, 0, &a) ==
	              WF_OK &&
	          a.status == 200 && strstr(a.body, "\"wufei-time-1\"") != NULL;
	harness_answer_free(&a);
	return ok;
}

static bool heartbeat_answered(struct fx *f, unsigned i)
{
	char body[256];
	snprintf(body, sizeof body,
	         "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":%u,\"outbox_depth\":0,"
	         "\"software_version\":\"0.1.0\",\"devices\":[]}",
	         i);
	struct http_answer a;
	bool ok = harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", body, strlen(body),
	                          f->sk, 7, 1, fx_now_s(), &a) == WF_OK &&
	          a.status == 200 && strstr(a.body, "\"ok\":true") != NULL;
	harness_answer_free(&a);
	return ok;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	for (unsigned i = 1; i <= c->rounds; i++) {
		c->answered += time_answered(c->f);
		c->answered += heartbeat_answered(c->f, i);
		nanosleep(&(struct timespec){0, 200 * 1000000L}, NULL);
	}
	c->done = true;
	return NULL;
}

/* Central again with serve arguments args (the fixture's store and kiosks). */
static void restart(struct fx *f, const char *const *args)
{
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	assert_int_equal(harness_start_args(&f->c, f->db_url, 0, args), 0);
}

/*
 * 300 dribbling attackers from one address: the normal client is answered
 * right every time while the attack goes on, and every attacker's connection
 * is closed (the per-address cap refuses most at once; the head deadline
 * closes the ones it let in while they are still dribbling).
 */
static void test_slowloris(void **state)
{
	struct fx *f = *state;
	restart(f,
	        (const char *const[]){"--head-timeout", "2", "--per-ip-connections", "16", NULL});
	static struct attack t;
	attack_start(&t, f->c.port, ATTACKERS);
	for (int i = 0; i < 5; i++) /* the attack is under way before the client comes */
		attack_tick(&t);
	struct client c = {.f = f, .rounds = 10};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, client_main, &c), 0);
	for (int i = 0; i < ROUND_LIMIT && (!c.done || t.closed < ATTACKERS); i++)
		attack_tick(&t);
	bool done = c.done;
	attack_end(&t);
	pthread_join(th, NULL);
	assert_true(done); /* answered while the attack still went on */
	assert_int_equal(c.answered, 2 * c.rounds);
	assert_true(t.closed >= ATTACKERS);
	assert_true(t.closed_dribbling >= 1);
	assert_int_equal(
	    harness_count(f->db_url, "SELECT last_seq FROM heartbeats WHERE kiosk = 7"), c.rounds);
}

/*
 * The head deadline alone (no per-address cap): connections that keep
 * dribbling, which the idle timeout (30 s) would never close, are closed;
 * a slow client whose head is in before the deadline is answered.
 */
static void test_head_deadline(void **state)
{
	struct fx *f = *state;
	restart(f, (const char *const[]){"--head-timeout", "2", "--per-ip-connections", "0", NULL});
	static struct attack t;
	attack_start(&t, f->c.port, 50);
	t.reconnect = false;
	for (int i = 0; i < ROUND_LIMIT && t.closed < t.n; i++)
		attack_tick(&t);
	attack_end(&t);
	assert_int_equal(t.closed, t.n);
	assert_int_equal(t.closed_dribbling, t.n); /* closed while dribbling, none refused */
	/* a slow but finite head: in three pieces, well inside the deadline */
	struct attacker slow = {.fd = attacker_connect(f->c.port)};
	const char *pieces[] = {"GET /api/v1/time HTTP/1.1\r\n", "Host: 127.0.0.1\r\n",
	                        "Connection: close\r\n\r\n"};
	for (int i = 0; i < 3; i++) {
		struct pollfd p = {.fd = slow.fd, .events = POLLOUT};
		assert_int_equal(poll(&p, 1, 10000), 1);
		ssize_t len = (ssize_t)strlen(pieces[i]);
		assert_int_equal(send(slow.fd, pieces[i], (size_t)len, MSG_NOSIGNAL), len);
		nanosleep(&(struct timespec){0, 200 * 1000000L}, NULL);
	}
	char got[1024] = "";
	size_t n = 0;
	for (int i = 0; i < ROUND_LIMIT && n < sizeof got - 1; i++) {
		struct pollfd p = {.fd = slow.fd, .events = POLLIN};
		poll(&p, 1, TICK_MS);
		ssize_t r = recv(slow.fd, got + n, sizeof got - 1 - n, 0);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
	}
	close(slow.fd);
	got[n] = '\0';
	assert_true(strncmp(got, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(got, "\"wufei-time-1\""));
}

/* A blocking connection from 127.0.0.1 (a normal client). */
static int client_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
	struct timeval tv = {.tv_sec = 30}; /* a generous bound, not a limit under test */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void send_all(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* One whole answer (head and Content-Length bytes of body) into got[cap]; its status. */
static int read_answer(int fd, char *got, size_t cap)
{
	size_t n = 0;
	const char *body = NULL;
	size_t want = 0;
	while (n < cap - 1 && (!body || (size_t)(got + n - body) < want)) {
		ssize_t r = recv(fd, got + n, cap - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
		got[n] = '\0';
		const char *end = strstr(got, "\r\n\r\n");
		const char *cl = strcasestr(got, "Content-Length: ");
		if (!body && end && cl) {
			body = end + 4;
			want = (size_t)strtoul(cl + 16, NULL, 10);
		}
	}
	got[n] = '\0';
	return strncmp(got, "HTTP/1.1 ", 9) == 0 ? (int)strtol(got + 9, NULL, 10) : -1;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/*
 * The head deadline is for the head only: a body that takes longer than it
 * (but not than --body-timeout) is read and answered; on a kept-alive
 * connection each request's head has its own deadline, counted from the
 * previous answer, not from the accept.
 */
static void test_deadline_is_per_head(void **state)
{
	struct fx *f = *state;
	restart(f, (const char *const[]){"--head-timeout", "3", NULL});
	char got[4096], head[1024], sig[SIGNING_SIG_HEX_LEN + 1];
	const char *body = "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":42,"
	                   "\"outbox_depth\":0,\"software_version\":\"0.1.0\",\"devices\":[]}";
	size_t len = strlen(body);
	int64_t now = fx_now_s();
	assert_int_equal(signing_sign_request(f->sk, "POST", "/api/v1/kiosk/heartbeat", now, body,
	                                      len, 7, 1, sig),
	                 0);
	int hn = snprintf(head, sizeof head,
	                  "POST /api/v1/kiosk/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                  "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	                  "X-Wufei-Kiosk: 7\r\nX-Wufei-Key-Id: 1\r\nX-Wufei-Time: %lld\r\n"
	                  "X-Wufei-Signature: %s\r\n\r\n",
	                  len, (long long)now, sig);
	int fd = client_connect(f->c.port);
	send_all(fd, head, (size_t)hn);
	for (size_t i = 0; i < 5; i++) { /* the body in five pieces over 4.5 s */
		sleep_ms(900);
		size_t from = len * i / 5, to = len * (i + 1) / 5;
		send_all(fd, body + from, to - from);
	}
	assert_int_equal(read_answer(fd, got, sizeof got), 200);
	assert_non_null(strstr(got, "\"ok\":true"));
	/* the same connection: heads 1.6 s apart, past 3 s since the accept */
	const char *ask = "GET /api/v1/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	for (int i = 0; i < 3; i++) {
		sleep_ms(1600);
		send_all(fd, ask, strlen(ask));
		assert_int_equal(read_answer(fd, got, sizeof got), 200);
		assert_non_null(strstr(got, "\"wufei-time-1\""));
	}
	close(fd);
	assert_int_equal(
	    harness_count(f->db_url, "SELECT last_seq FROM heartbeats WHERE kiosk = 7"), 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_slowloris, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_head_deadline, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_deadline_is_per_head, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
