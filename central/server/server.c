/*
 * server.c — central's HTTP server on libmicrohttpd (the only file that
 * talks to it): the daemon, reading a request and its body (capped), the
 * answer written with central's time, and one log line per refusal. Which
 * path does what is routes.c's; see server.h and docs/SYNC-API.md.
 */
#include "server_private.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"

/* Per connection: the raw request target and the body read so far. */
struct conn {
	char target[SIGNING_PATH_MAX + 1];
	bool target_too_long;
	bool started;
	bool too_large;
	char *body;
	size_t len;
	size_t cap;
	int64_t start_ns; /* monotonic, at the request line (metrics' latency) */
	unsigned status;  /* the answer's status; 0 = none sent */
	int cls;          /* the answer's metrics class (routes_class) */
};

int64_t server_now(const struct server *srv)
{
	return wf_clock_utc_ms(wf_clock_system()) / 1000 + srv->offset_s;
}

/* The answer's body text (JSON with central_time and, for API calls, the
 * body hash it answers), or NULL when memory is short. */
static char *answer_text(struct server *srv, struct answer *a, const char *body_hash,
                         const char **type)
{
	char *text = NULL;
	*type = "application/json";
	if (a->json) {
		json_object_set_new(a->json, "central_time", json_integer(server_now(srv)));
		if (body_hash)
			json_object_set_new(a->json, "body_hash", json_string(body_hash));
		text = json_dumps(a->json, JSON_COMPACT);
		json_decref(a->json);
		a->json = NULL;
	} else if (a->html) {
		text = a->html;
		a->html = NULL;
		*type = a->type ? a->type : "text/html; charset=utf-8";
	}
	return text;
}

/* What an office page's answer adds (web_office.c fills them). */
/* The office pages' headers (struct answer: empty means none). */
static void add_page_headers(struct MHD_Response *r, const struct answer *a)
{
	if (a->set_cookie[0])
		MHD_add_response_header(r, "Set-Cookie", a->set_cookie);
	if (a->lang_cookie[0])
		MHD_add_response_header(r, "Set-Cookie", a->lang_cookie);
	if (a->location[0])
		MHD_add_response_header(r, "Location", a->location);
	if (a->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", a->disposition);
	if (a->retry_after_s) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", a->retry_after_s);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	if (!a->page_guard)
		return;
	MHD_add_response_header(
	    r, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

const char *server_query(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *server_cookie(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

static enum MHD_Result send_answer(struct server *srv, struct MHD_Connection *c, struct answer *a,
                                   const char *body_hash)
{
	char now[32];
	const char *type;
	snprintf(now, sizeof now, "%" PRId64, server_now(srv));
	char *text = answer_text(srv, a, body_hash, &type);
	if (!text)
		return MHD_NO;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Wufei-Central-Time", now);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (a->allow)
		MHD_add_response_header(r, "Allow", a->allow);
	add_page_headers(r, a);
	enum MHD_Result ret = MHD_queue_response(c, a->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Every refusal is one log line; the log escapes what the client sent and
 * rate-limits a flood (common/log/log.h). */
static void log_answer(struct server *srv, const char *method, const char *path,
                       const struct answer *a)
{
	if (a->status < 400)
		return;
	wf_log_printf(srv->log, a->status >= 500 ? WF_LOG_ERROR : WF_LOG_INFO, "%s %s -> %u",
	              method, path, a->status);
}

/* The deadline watch of connection c (deadline.c), or NULL. */
static struct deadline_conn *watched(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

/* c's next deadline, in_ms from now (0: none). */
static void deadline_in(struct server *srv, struct MHD_Connection *c, int64_t in_ms)
{
	deadlines_set(srv->deadlines, watched(c), in_ms ? deadline_now_ms() + in_ms : 0);
}

/* A socket accepted or closed: from accept its request head has a deadline. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = i ? deadlines_add(srv->deadlines, i->connect_fd,
		                                    deadline_now_ms() + srv->head_ms)
		                    : NULL;
		if (!*socket_context)
			wf_log_printf(srv->log, WF_LOG_ERROR,
			              "a connection without deadlines (memory)");
		return;
	}
	deadlines_remove(srv->deadlines, *socket_context);
	*socket_context = NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct conn *cn = calloc(1, sizeof *cn);
	if (!cn)
		return NULL;
	cn->start_ns = wf_clock_mono_ns();
	size_t n = strlen(uri);
	if (n > SIGNING_PATH_MAX)
		cn->target_too_long = true;
	else
		memcpy(cn->target, uri, n + 1);
	return cn;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct server *srv = cls;
	/* a kept-alive connection: the next request's head has its deadline */
	deadline_in(srv, c, srv->head_ms);
	struct conn *cn = *con_cls;
	if (!cn)
		return;
	/* Latency: from the request line to the answer sent (or given up). */
	if (cn->status)
		metrics_observe(srv->metrics, (enum metrics_class)cn->cls, cn->status,
		                wf_clock_mono_ns() - cn->start_ns);
	free(cn->body);
	free(cn);
	*con_cls = NULL;
}

static int append_body(struct conn *cn, const char *data, size_t n)
{
	if (cn->too_large || n > SERVER_BODY_MAX - cn->len) {
		cn->too_large = true; /* keep reading (and dropping) so the answer can be sent */
		return WF_OK;
	}
	if (cn->len + n > cn->cap) {
		size_t cap = cn->cap ? cn->cap : 4096;
		while (cap < cn->len + n)
			cap *= 2;
		if (cap > SERVER_BODY_MAX)
			cap = SERVER_BODY_MAX;
		char *b = realloc(cn->body, cap);
		if (!b)
			return WF_ENOMEM;
		cn->body = b;
		cn->cap = cap;
	}
	memcpy(cn->body + cn->len, data, n);
	cn->len += n;
	return WF_OK;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Whether a TLS-terminating proxy in front says the client came over HTTPS.
 * Taken on trust: it only makes cookies Secure, which harms no one but a
 * client that lies. */
static bool forwarded_https(struct MHD_Connection *c)
{
	const char *v = header(c, "X-Forwarded-Proto");
	return v && strcmp(v, "https") == 0;
}

/* The peer's IP address as text into out[cap] ("" when unknown). */
static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		          (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		          (socklen_t)cap);
}

/* A 500 whose handler did not say why: when the store now answers a ping
 * with WF_EBUSY, the database is away or restarting, and the answer is 503
 * with Retry-After (clients retry) instead. */
static void unavailable_if_away(struct store *s, struct answer *a)
{
	if (a->status != 500 || !s->ops->ping)
		return;
	store_lock(s);
	int rc = s->ops->ping(s);
	store_unlock(s);
	if (rc != WF_EBUSY)
		return;
	if (a->json)
		answer_store_failed(a, rc, "nothing was done");
	a->status = answer_store_status(a, rc);
}

/* The whole request is in: route it and answer. */
static enum MHD_Result answer_request(struct server *srv, struct MHD_Connection *c,
                                      const char *path, const char *method, struct conn *cn)
{
	struct answer a = {.status = 500};
	char hash[SIGNING_HASH_HEX_LEN + 1], addr[INET6_ADDRSTRLEN];
	signing_hash_body(cn->body, cn->len, hash);
	client_addr(c, addr, sizeof addr);
	struct request rq = {
	    .method = method,
	    .path = path,
	    .target = cn->target,
	    .target_too_long = cn->target_too_long,
	    .cursor = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor"),
	    .lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"),
	    .accept_language = header(c, "Accept-Language"),
	    .body = cn->body,
	    .len = cn->len,
	    .body_hash = hash,
	    .headers = {header(c, "X-Wufei-Kiosk"), header(c, "X-Wufei-Key-Id"),
	                header(c, "X-Wufei-Time"), header(c, "X-Wufei-Signature")},
	    .cookie = header(c, "Cookie"),
	    .content_type = header(c, "Content-Type"),
	    .authorization = header(c, "Authorization"),
	    .fetch_site = header(c, "Sec-Fetch-Site"),
	    .client_addr = addr,
	    .tls = srv->tls_cert != NULL || forwarded_https(c),
	    .conn = c,
	    .store = server_store_take(srv),
	};
	if (cn->too_large)
		answer_error(&a, 413, "body_too_large", "request body over %u bytes",
		             SERVER_BODY_MAX);
	else
		routes_dispatch(srv, &rq, &a);
	unavailable_if_away(rq.store, &a);
	server_store_give(srv, rq.store);
	log_answer(srv, method, path, &a);
	wf_log_scope(NULL); /* auth.c's WUFEI_KIOSK= ends with the request */
	cn->status = a.status;
	cn->cls = routes_class(path);
	/* API answers echo the hash of the body they answer, errors included. */
	bool echo = a.json && strncmp(path, "/api/v1/", 8) == 0 && !cn->too_large;
	return send_answer(srv, c, &a, echo ? hash : NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *srv = cls;
	struct conn *cn = *con_cls;
	if (!cn)
		return MHD_NO;
	if (!cn->started) {
		cn->started = true;
		deadline_in(srv, c, srv->body_ms); /* the head is in; now the body */
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t v = 0;
		if (cl && (parse_u64(cl, UINT64_MAX, &v) != WF_OK || v > SERVER_BODY_MAX)) {
			/* Answer at once; MHD closes the connection instead of reading it. */
			struct answer a = {.status = 500};
			answer_error(&a, 413, "body_too_large", "request body over %u bytes",
			             SERVER_BODY_MAX);
			log_answer(srv, method, url, &a);
			cn->status = a.status;
			cn->cls = routes_class(url);
			return send_answer(srv, c, &a, NULL);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (append_body(cn, upload, *upload_size) != WF_OK)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	deadline_in(srv, c, 0); /* all in: answering is ours (the idle timeout still holds) */
	return answer_request(srv, c, url, method, cn);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, char *why, size_t why_len)
{
	char host[64];
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	uint64_t port = 0;
	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    parse_u64(colon + 1, 65535, &port) != WF_OK) {
		snprintf(why, why_len, "--listen wants ADDR:PORT (IPv4), got '%s'",
		         listen ? listen : "");
		return WF_EINVAL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1) {
		snprintf(why, why_len, "--listen: '%s' is not an IPv4 address", host);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* Frees what server_start allocated (the daemon is already stopped or never ran). */
static void server_free(struct server *srv)
{
	deadlines_stop(srv->deadlines);
	if (srv->tls_key)
		sodium_memzero(srv->tls_key, strlen(srv->tls_key));
	free(srv->tls_key);
	free(srv->tls_cert);
	metrics_destroy(srv->metrics);
	if (srv->stores)
		pthread_mutex_destroy(&srv->pool_mu);
	free(srv->stores);
	free(srv->users);
	free(srv);
}

/* HTTPS options (copies of the PEM texts kept on srv), or none for plain HTTP. */
static int tls_options(struct server *srv, const struct server_config *cfg,
                       struct MHD_OptionItem tls[3], unsigned *flags, char *why, size_t why_len)
{
	tls[0] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	if (!cfg->tls_cert_pem != !cfg->tls_key_pem) {
		snprintf(why, why_len, "TLS needs both a certificate and its key");
		return WF_EINVAL;
	}
	if (!cfg->tls_cert_pem)
		return WF_OK;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(why, why_len, "this libmicrohttpd was built without TLS");
		return WF_EINVAL;
	}
	srv->tls_cert = strdup(cfg->tls_cert_pem);
	srv->tls_key = strdup(cfg->tls_key_pem);
	if (!srv->tls_cert || !srv->tls_key)
		return WF_ENOMEM;
	*flags |= MHD_USE_TLS;
	tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert};
	tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key};
	tls[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	return WF_OK;
}

/* The daemon's options: TLS (tls, from tls_options), address, threads, the
 * callbacks, and the limits that keep slow clients from locking others out. */
static void daemon_options(struct server *srv, const struct server_config *cfg,
                           struct sockaddr_in *sa, struct MHD_OptionItem tls[3],
                           struct MHD_OptionItem o[12])
{
	unsigned threads = cfg->threads ? cfg->threads : SERVER_THREADS_DEF;
	unsigned conns = cfg->max_connections ? cfg->max_connections : SERVER_CONNS_DEF;
	unsigned per_ip = cfg->per_ip_connections < 0    ? 0 /* MHD: no cap */
	                  : cfg->per_ip_connections == 0 ? SERVER_PER_IP_DEF
	                                                 : (unsigned)cfg->per_ip_connections;
	size_t n = 0;
	for (; tls[n].option != MHD_OPTION_END; n++) /* the HTTPS options first, if any */
		o[n] = tls[n];
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, sa};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, srv};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, srv};
	o[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, SERVER_IDLE_S, NULL};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, conns, NULL};
	o[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, NULL};
	o[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	srv->head_ms =
	    1000 * (int64_t)(cfg->head_timeout_s ? cfg->head_timeout_s : SERVER_HEAD_S_DEF);
	srv->body_ms =
	    1000 * (int64_t)(cfg->body_timeout_s ? cfg->body_timeout_s : SERVER_BODY_S_DEF);
}

static void start_failed(const struct server_config *cfg, char *why, size_t why_len)
{
	if (cfg->tls_cert_pem)
		snprintf(
		    why, why_len,
		    "cannot serve HTTPS on %s (certificate or key not valid PEM, not a pair, or "
		    "the address is in use)",
		    cfg->listen);
	else
		snprintf(why, why_len, "cannot listen on %s (address in use or not local?)",
		         cfg->listen);
}

/* The pool of store handles (pool.c) on srv: copies of the nstores pointers. */
static int pool_init(struct server *srv, struct store *const *stores, size_t nstores)
{
	srv->stores = calloc(nstores, sizeof *srv->stores);
	srv->users = calloc(nstores, sizeof *srv->users);
	if (!srv->stores || !srv->users || pthread_mutex_init(&srv->pool_mu, NULL) != 0) {
		free(srv->stores);
		srv->stores = NULL;
		return WF_ENOMEM;
	}
	for (size_t i = 0; i < nstores; i++)
		srv->stores[i] = stores[i];
	srv->nstores = nstores;
	return WF_OK;
}

int server_start(struct store *const *stores, size_t nstores, const struct server_config *cfg,
                 struct server **out, char *why, size_t why_len)
{
	struct sockaddr_in sa;
	struct MHD_OptionItem tls[3], opts[12];
	/* epoll in a pool of threads: a slow client costs a socket, never a thread */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	*out = NULL;
	int rc = parse_listen(cfg->listen, &sa, why, why_len);
	if (rc)
		return rc;
	if (nstores == 0) {
		snprintf(why, why_len, "no store to serve");
		return WF_EINVAL;
	}
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return WF_ENOMEM;
	if (pool_init(srv, stores, nstores) != WF_OK) {
		server_free(srv);
		return WF_ENOMEM;
	}
	srv->offset_s = cfg->time_offset_s;
	srv->log = cfg->log;
	srv->silent_after_s = cfg->silent_after_s > 0 ? cfg->silent_after_s : SERVER_SILENT_DEF;
	srv->metrics = metrics_create(server_now(srv));
	rc = srv->metrics ? tls_options(srv, cfg, tls, &flags, why, why_len) : WF_ENOMEM;
	if (!rc && deadlines_start(srv->log, &srv->deadlines) != WF_OK) {
		snprintf(why, why_len, "cannot start the deadline thread");
		rc = WF_EIO;
	}
	if (rc) {
		server_free(srv);
		return rc;
	}
	daemon_options(srv, cfg, &sa, tls, opts);
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts,
	                          MHD_OPTION_END);
	if (!srv->d) {
		start_failed(cfg, why, why_len);
		server_free(srv);
		return WF_EIO;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	*out = srv;
	return WF_OK;
}

uint16_t server_port(const struct server *srv)
{
	return srv->port;
}

void server_stop(struct server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->d);
	server_free(srv);
}
