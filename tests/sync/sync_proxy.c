/* sync_proxy.c — the misbehaving loopback proxy of the sync fault tests; see sync_proxy.h. */
#include "sync_proxy.h"
#include "hex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX    (1024u * 1024u)
#define ANSWER_CAP (16u * 1024u * 1024u)

struct msg {
	char *p;
	size_t n;
	size_t head; /* length of the header block including the blank line */
};

static int write_all(int fd, const void *buf, size_t n)
{
	const char *c = buf;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void set_timeout(int fd, int seconds)
{
	struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Content-Length of a header block, 0 if absent. */
static size_t content_length(const char *head, size_t n)
{
	static const char name[] = "\r\ncontent-length:";
	for (size_t i = 0; i + sizeof name - 1 < n; i++) {
		if (strncasecmp(head + i, name, sizeof name - 1) == 0) {
			char *end = NULL;
			long long v = strtoll(head + i + sizeof name - 1, &end, 10);
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

/* Reads one request (headers + Content-Length body). 0 on success. */
static int read_request(int fd, struct msg *m)
{
	memset(m, 0, sizeof *m);
	m->p = malloc(REQ_MAX + 1);
	if (!m->p)
		return -1;
	size_t want = 0;
	for (;;) {
		if (m->head && m->n >= want)
			return 0;
		if (m->n >= REQ_MAX)
			return -1;
		ssize_t r = recv(fd, m->p + m->n, REQ_MAX - m->n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		m->n += (size_t)r;
		m->p[m->n] = '\0';
		if (!m->head) {
			char *e = strstr(m->p, "\r\n\r\n");
			if (e) {
				m->head = (size_t)(e - m->p) + 4;
				want = m->head + content_length(m->p, m->head);
				if (want > REQ_MAX)
					return -1;
			}
		}
	}
}

/* Reads everything until the peer closes. 0 if anything arrived. */
static int read_until_close(int fd, struct msg *m)
{
	memset(m, 0, sizeof *m);
	size_t cap = 0;
	for (;;) {
		if (m->n + 65536 + 1 > cap) {
			if (cap >= ANSWER_CAP)
				return -1;
			size_t nc = cap ? cap * 2 : 131072;
			char *q = realloc(m->p, nc);
			if (!q)
				return -1;
			m->p = q;
			cap = nc;
		}
		ssize_t r = recv(fd, m->p + m->n, cap - m->n - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return m->n ? 0 : -1;
		if (r == 0)
			break;
		m->n += (size_t)r;
	}
	if (m->p)
		m->p[m->n] = '\0';
	return m->n ? 0 : -1;
}

static int connect_upstream(int port)
{
	if (port <= 0)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	set_timeout(fd, 30);
	return fd;
}

static void maybe_kill(struct proxy *p, int stage)
{
	if (atomic_load(&p->kill_stage) != stage)
		return;
	pid_t pid = (pid_t)atomic_load(&p->kill_pid);
	if (pid > 0)
		kill(pid, SIGKILL);
	atomic_fetch_add(&p->kills, 1);
	atomic_store(&p->kill_stage, KILL_NONE);
}

/*
 * Sends req to central with "Connection: close" and reads its whole answer
 * into ans. kills says whether the kill points apply. 0 when an answer came.
 */
static int forward(struct proxy *p, const struct msg *req, struct msg *ans, bool kills)
{
	memset(ans, 0, sizeof *ans);
	if (kills)
		maybe_kill(p, KILL_BEFORE_FORWARD);
	int fd = connect_upstream(atomic_load(&p->upstream_port));
	if (fd < 0)
		return -1;
	const char *eol = strstr(req->p, "\r\n");
	size_t line = (size_t)(eol - req->p) + 2;
	static const char cc[] = "Connection: close\r\n";
	int rc = write_all(fd, req->p, line);
	if (rc == 0)
		rc = write_all(fd, cc, sizeof cc - 1);
	size_t body_at = req->head;
	if (kills && atomic_load(&p->kill_stage) == KILL_MID_BODY) {
		size_t part = (size_t)atomic_load(&p->kill_bytes);
		if (part > req->n - body_at)
			part = req->n - body_at;
		if (rc == 0)
			rc = write_all(fd, req->p + line, body_at - line + part);
		maybe_kill(p, KILL_MID_BODY);
		if (rc == 0)
			rc = write_all(fd, req->p + body_at + part, req->n - body_at - part);
	} else if (rc == 0) {
		rc = write_all(fd, req->p + line, req->n - line);
	}
	if (kills)
		maybe_kill(p, KILL_AFTER_SEND);
	if (rc == 0)
		rc = read_until_close(fd, ans);
	close(fd);
	if (rc == 0 && kills)
		maybe_kill(p, KILL_AFTER_ANSWER);
	/* A status line and a header block, or it is no answer. */
	if (rc == 0 &&
	    (ans->n < 12 || strncmp(ans->p, "HTTP/1.", 7) || !strstr(ans->p, "\r\n\r\n")))
		rc = -1;
	if (rc != 0) {
		free(ans->p);
		memset(ans, 0, sizeof *ans);
	}
	return rc;
}

/* Relays an answer, adding "Connection: close" if central did not say so. */
static void relay(int cfd, const struct msg *ans)
{
	const char *end = strstr(ans->p, "\r\n\r\n");
	size_t head = (size_t)(end - ans->p);
	bool has_close = false;
	for (size_t i = 0; i + 17 < head; i++)
		if (strncasecmp(ans->p + i, "\r\nconnection: close", 19) == 0)
			has_close = true;
	const char *eol = strstr(ans->p, "\r\n");
	size_t line = (size_t)(eol - ans->p) + 2;
	write_all(cfd, ans->p, line);
	if (!has_close)
		write_all(cfd, "Connection: close\r\n", 19);
	write_all(cfd, ans->p + line, ans->n - line);
}

static void answer_text(int cfd, const char *type, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "X-Wufei-Central-Time: %lld\r\nConnection: close\r\n\r\n",
	                 type, strlen(body), (long long)(time(NULL) + PORTAL_CLOCK_AHEAD_S));
	write_all(cfd, head, (size_t)n);
	write_all(cfd, body, strlen(body));
}

/* A captive portal's "200 OK" to a batch. */
static void portal(struct proxy *p, int cfd, const struct msg *req)
{
	int variant = atomic_load(&p->portal_variant);
	if (variant == PORTAL_HTML) {
		answer_text(cfd, "text/html",
		            "<html><body><h1>Welcome to CityWiFi</h1><a href=/login>Log in</a>"
		            "</body></html>");
		return;
	}
	/* Claims every record of the request "stored". */
	json_error_t jerr;
	json_t *in = json_loadb(req->p + req->head, req->n - req->head, 0, &jerr);
	json_t *results = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(in, "records"), i, r)
	{
		json_array_append_new(
		    results,
		    json_pack("{s:O,s:s}", "seq", json_object_get(r, "seq"), "status", "stored"));
	}
	json_t *out = json_pack("{s:s,s:I,s:I,s:o}", "format", "wufei-batch-answer-1",
	                        "central_time", (json_int_t)(time(NULL) + PORTAL_CLOCK_AHEAD_S),
	                        "highest_seq", (json_int_t)0, "results", results);
	if (variant == PORTAL_WRONG_HASH) {
		/* The hash of a body that differs from ours in its last byte. */
		unsigned char h[32];
		char hex[65];
		size_t len = req->n - req->head;
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, req->p + req->head, len);
		if (len)
			copy[len - 1] ^= 1;
		crypto_generichash(h, sizeof h, copy, len, NULL, 0);
		free(copy);
		hex_encode(h, sizeof h, hex, sizeof hex);
		json_object_set_new(out, "body_hash", json_string(hex));
	}
	char *text = json_dumps(out, JSON_COMPACT);
	answer_text(cfd, "application/json", text ? text : "{}");
	free(text);
	json_decref(out);
	json_decref(in);
}

static void serve_one(struct proxy *p, int cfd)
{
	struct msg req, ans;
	set_timeout(cfd, 30);
	if (read_request(cfd, &req) != 0) {
		free(req.p);
		return;
	}
	bool batch = strncmp(req.p, "POST /api/v1/sync/batch ", 24) == 0;
	int mode = batch ? atomic_load(&p->mode) : PROXY_FORWARD;
	if (batch)
		atomic_fetch_add(&p->batches, 1);
	if (mode == PROXY_PORTAL) {
		portal(p, cfd, &req);
		free(req.p);
		return;
	}
	int rc = forward(p, &req, &ans, batch);
	if (rc == 0 && mode == PROXY_TWICE_SECOND) {
		free(ans.p);
		rc = forward(p, &req, &ans, false);
	}
	if (rc != 0) {
		atomic_fetch_add(&p->failed, 1);
	} else if (mode == PROXY_DROP_ANSWER) {
		/* central committed and answered; the kiosk never hears of it */
		free(ans.p);
	} else {
		relay(cfd, &ans);
		free(ans.p);
		if (mode == PROXY_TWICE_FIRST) {
			/* the same bytes once more, after the kiosk had its answer */
			shutdown(cfd, SHUT_RDWR);
			if (forward(p, &req, &ans, false) == 0)
				free(ans.p);
		}
	}
	free(req.p);
}

static void *proxy_main(void *arg)
{
	struct proxy *p = arg;
	while (!atomic_load(&p->stop)) {
		struct pollfd pf = {.fd = p->listen_fd, .events = POLLIN};
		if (poll(&pf, 1, 50) <= 0)
			continue;
		int cfd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		serve_one(p, cfd);
		close(cfd);
	}
	return NULL;
}

int proxy_start(struct proxy *p, int upstream_port)
{
	memset(p, 0, sizeof *p);
	atomic_store(&p->upstream_port, upstream_port);
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(p->listen_fd, 16) != 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&a, &al) != 0) {
		close(p->listen_fd);
		return -1;
	}
	p->port = ntohs(a.sin_port);
	if (pthread_create(&p->thread, NULL, proxy_main, p) != 0) {
		close(p->listen_fd);
		return -1;
	}
	return 0;
}

void proxy_stop(struct proxy *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
}
