/* harness.c — real wufei-central over loopback for tests and benchmarks; see harness.h. */
#include "harness.h"
#include "hex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "ingest.h"
#include "signing.h"

#include "catalog.h"
#include "record.h"
#include "testdb.h"

void harness_bin(const char *name, char *out, size_t cap)
{
	const char *dir = getenv("WUFEI_BIN_DIR");
	snprintf(out, cap, "%s/%s", dir && *dir ? dir : "build/bin", name);
}

/* Centrals this process started, for harness_kill_started. */
static pid_t g_started[256];
static int g_nstarted;

void harness_kill_started(void)
{
	for (int i = 0; i < g_nstarted; i++) {
		int st = 0;
		/* 0 = still running and ours; -1 (ECHILD) = already reaped by harness_stop */
		if (g_started[i] > 0 && waitpid(g_started[i], &st, WNOHANG) == 0) {
			kill(g_started[i], SIGKILL);
			waitpid(g_started[i], &st, 0);
		}
	}
	g_nstarted = 0;
}

int harness_start(struct central_proc *p, const char *db_url, int64_t time_offset_s)
{
	return harness_start_args(p, db_url, time_offset_s, NULL);
}

/* The crash points (--crash-at) are only in the crash-point test build. */
static const char *central_program(const char *const *extra)
{
	for (int i = 0; extra && extra[i]; i++)
		if (strcmp(extra[i], "--crash-at") == 0 || strcmp(extra[i], "--crash-every") == 0)
			return "wufei-central-crashtest";
	return "wufei-central";
}

int harness_start_args(struct central_proc *p, const char *db_url, int64_t time_offset_s,
                       const char *const *extra)
{
	char bin[512], off[32];
	int fds[2];
	harness_bin(central_program(extra), bin, sizeof bin);
	snprintf(p->db_url, sizeof p->db_url, "%s", db_url);
	snprintf(off, sizeof off, "%" PRId64, time_offset_s);
	if (pipe(fds) != 0)
		return WF_EIO;
	pid_t pid = fork();
	if (pid < 0)
		return WF_EIO;
	if (pid == 0) {
		dup2(fds[1], 1);
		/* nothing else of the test's (listening proxies, journals) goes along */
		closefrom(3);
		if (getenv("WUFEI_TEST_SERVER_STDERR"))
			freopen(getenv("WUFEI_TEST_SERVER_STDERR"), "a", stderr);
		const char *argv[32] = {bin,        "serve",       "--db",          db_url,
		                        "--listen", "127.0.0.1:0", "--time-offset", off};
		int n = 8;
		for (int i = 0; extra && extra[i] && n < 31; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	p->pid = pid;
	p->port = 0;
	if (g_nstarted < (int)(sizeof g_started / sizeof g_started[0]))
		g_started[g_nstarted++] = pid;
	char line[256];
	size_t n = 0;
	while (n + 1 < sizeof line) {
		ssize_t r = read(fds[0], line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(fds[0]);
	const char *colon = strrchr(line, ':');
	if (!colon)
		return WF_EIO;
	p->port = (int)strtol(colon + 1, NULL, 10);
	return p->port > 0 ? WF_OK : WF_EIO;
}

int harness_stop(struct central_proc *p, int sig)
{
	if (p->pid <= 0)
		return WF_ESTATE;
	kill(p->pid, sig);
	int st = 0;
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	p->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int harness_cli(const char *db_url, char *out, size_t cap, const char *const *args)
{
	return harness_cli_input(db_url, NULL, out, cap, args);
}

/* input on a pipe as the child's standard input (a child process writes it,
 * so a command that reads less cannot block us). */
static void cli_stdin(const char *input)
{
	int in[2];
	if (!input || pipe(in) != 0)
		return;
	pid_t w = fork();
	if (w == 0) {
		close(in[0]);
		ssize_t wr = write(in[1], input, strlen(input));
		_exit(wr < 0);
	}
	close(in[1]);
	dup2(in[0], 0);
	close(in[0]);
}

int harness_cli_input(const char *db_url, const char *input, char *out, size_t cap,
                      const char *const *args)
{
	char bin[512];
	const char *argv[40];
	int n = 0;
	int fds[2];
	harness_bin("wufei-central", bin, sizeof bin);
	argv[n++] = bin;
	for (int i = 0; args[i] && n < 36; i++)
		argv[n++] = args[i];
	argv[n++] = "--db";
	argv[n++] = db_url;
	argv[n] = NULL;
	if (pipe(fds) != 0)
		return WF_EIO;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		cli_stdin(input);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t got = 0;
	char sink[512];
	for (;;) {
		char *dst = out && got + 1 < cap ? out + got : sink;
		size_t room = out && got + 1 < cap ? cap - 1 - got : sizeof sink;
		ssize_t r = read(fds[0], dst, room);
		if (r <= 0)
			break;
		if (dst != sink)
			got += (size_t)r;
	}
	if (out && cap)
		out[got] = '\0';
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct buf *b = ctx;
	size_t n = size * nmemb;
	char *q = realloc(b->p, b->n + n + 1);
	if (!q)
		return 0;
	memcpy(q + b->n, data, n);
	b->p = q;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* The value of header name if line (n bytes) is that header, into out[cap]
 * without the line end; false otherwise. */
static bool header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name), o = 0;
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return false;
	size_t i = k + 1;
	while (i < n && line[i] == ' ')
		i++;
	while (i < n && line[i] != '\r' && line[i] != '\n' && o + 1 < cap)
		out[o++] = line[i++];
	out[o] = '\0';
	return true;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_answer *a = ctx;
	size_t n = size * nmemb;
	header_value(data, n, "X-Wufei-Central-Time", a->central_time, sizeof a->central_time);
	header_value(data, n, "Allow", a->allow, sizeof a->allow);
	return n;
}

int harness_request(int port, const char *method, const char *path, const void *body,
                    size_t body_len, const uint8_t *sk, uint32_t kiosk, uint32_t key_id,
                    int64_t time_s, struct http_answer *ans)
{
	char url[1024], h[4][200];
	struct buf b = {NULL, 0};
	struct curl_slist *hdrs = NULL;
	memset(ans, 0, sizeof *ans);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	CURL *c = curl_easy_init();
	if (!c)
		return WF_EIO;
	if (sk) {
		char sig[SIGNING_SIG_HEX_LEN + 1];
		if (signing_sign_request(sk, method, path, time_s, body, body_len, kiosk, key_id,
		                         sig) != 0) {
			curl_easy_cleanup(c);
			return WF_EIO;
		}
		snprintf(h[0], sizeof h[0], "X-Wufei-Kiosk: %" PRIu32, kiosk);
		snprintf(h[1], sizeof h[1], "X-Wufei-Key-Id: %" PRIu32, key_id);
		snprintf(h[2], sizeof h[2], "X-Wufei-Time: %" PRId64, time_s);
		snprintf(h[3], sizeof h[3], "X-Wufei-Signature: %s", sig);
		for (int i = 0; i < 4; i++)
			hdrs = curl_slist_append(hdrs, h[i]);
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, ans);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0 || (body && strcmp(method, "GET") != 0)) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ans->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	ans->body = b.p ? b.p : calloc(1, 1);
	ans->len = b.n;
	return rc == CURLE_OK || ans->status > 0 ? WF_OK : WF_EIO;
}

void harness_answer_free(struct http_answer *ans)
{
	free(ans->body);
	ans->body = NULL;
}

int harness_raw(int port, const char *req, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return WF_EIO;
	int status = WF_EIO;
	char head[32] = "", sink[4096];
	size_t got = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    write(fd, req, len) == (ssize_t)len) {
		/* the status line is in the first bytes; the rest is read and dropped */
		for (;;) {
			char *dst = got + 1 < sizeof head ? head + got : sink;
			size_t room = got + 1 < sizeof head ? sizeof head - 1 - got : sizeof sink;
			ssize_t r = read(fd, dst, room);
			if (r <= 0)
				break;
			if (dst == head)
				got += (size_t)r;
		}
		head[got] = '\0';
		if (strncmp(head, "HTTP/1.1 ", 9) == 0 || strncmp(head, "HTTP/1.0 ", 9) == 0)
			status = (int)strtol(head + 9, NULL, 10);
	}
	close(fd);
	return status;
}

void harness_write_pub(const char *dir, const char *name, const uint8_t pk[32], char *out,
                       size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, name);
	unlink(out);
	signing_keyfile_write_public(out, pk);
}

uint32_t harness_record_time_min(uint32_t seq)
{
	return (uint32_t)(INT64_C(1795867200) / 60 + seq);
}

size_t harness_record_bytes(uint32_t kiosk, uint32_t seq, int variant, uint8_t *out, size_t cap)
{
	/* A drop of paper (category 1, rate version 1: 2000 points per tonne). */
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DROP;
	r.kiosk = kiosk;
	r.seq = seq;
	r.time_ms = (int64_t)harness_record_time_min(seq) * 60000;
	r.drop.category_id = 1;
	r.drop.unit = WF_UNIT_GRAM;
	r.drop.qty = 1250 + 50 * (variant & 1);
	r.drop.credited_qty = r.drop.qty;
	wf_points(WF_UNIT_GRAM, 2000, r.drop.credited_qty, &r.drop.points);
	r.drop.rate_version = 1;
	if (variant == 2)
		r.drop.points += 1; /* claims a point too many */
	if (variant == 3)
		r.drop.rate_version = 9; /* a rate version central never issued */
	r.drop.resident_id = 1001;
	memset(r.drop.card_hash, 0xab, sizeof r.drop.card_hash);
	r.drop.local_day = 20261128;
	int n = wf_record_encode(&r, out, cap);
	return n > 0 ? (size_t)n : 0;
}

/* One record of a batch: {"kind","seq","data","hash"} (canonical bytes in base64). */
static json_t *batch_record(uint32_t kiosk, uint32_t seq, int variant, uint8_t prev[WF_HASH_BYTES])
{
	uint8_t bytes[INGEST_MAX_RECORD_BYTES], h[WF_HASH_BYTES];
	char b64[INGEST_MAX_RECORD_BYTES * 2], hex[WF_HASH_HEX];
	size_t bl = harness_record_bytes(kiosk, seq, variant, bytes, sizeof bytes);
	ingest_chain_next(prev, bytes, bl, h);
	memcpy(prev, h, WF_HASH_BYTES);
	sodium_bin2base64(b64, sizeof b64, bytes, bl, sodium_base64_VARIANT_ORIGINAL);
	hex_encode(h, WF_HASH_BYTES, hex, sizeof hex);
	return json_pack("{s:i, s:I, s:s, s:s}", "kind", 1, "seq", (json_int_t)seq, "data", b64,
	                 "hash", hex);
}

char *harness_batch_json(uint32_t kiosk, uint32_t first, uint32_t n, uint8_t prev[WF_HASH_BYTES],
                         int variant)
{
	json_t *recs = json_array();
	for (uint32_t i = 0; recs && i < n; i++)
		json_array_append_new(recs, batch_record(kiosk, first + i, variant, prev));
	json_t *body = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-1", "kiosk",
	                         (json_int_t)kiosk, "records", recs);
	char *out = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	return out;
}

int harness_chain(const struct wf_record *recs, size_t n, uint8_t prev[WF_HASH_BYTES],
                  struct harness_rec *out)
{
	for (size_t i = 0; i < n; i++) {
		int len = wf_record_encode(&recs[i], out[i].bytes, sizeof out[i].bytes);
		if (len <= 0)
			return WF_EINVAL;
		out[i].kiosk = recs[i].kiosk;
		out[i].seq = (uint32_t)recs[i].seq;
		out[i].kind = recs[i].kind;
		out[i].len = (size_t)len;
		ingest_chain_next(prev, out[i].bytes, out[i].len, out[i].hash);
		memcpy(prev, out[i].hash, WF_HASH_BYTES);
	}
	return WF_OK;
}

char *harness_batch_of(uint32_t kiosk, const struct harness_rec *recs, size_t n)
{
	char b64[256], hex[WF_HASH_HEX];
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		sodium_bin2base64(b64, sizeof b64, recs[i].bytes, recs[i].len,
		                  sodium_base64_VARIANT_ORIGINAL);
		hex_encode(recs[i].hash, WF_HASH_BYTES, hex, sizeof hex);
		json_array_append_new(arr,
		                      json_pack("{s:i, s:I, s:s, s:s}", "kind", recs[i].kind, "seq",
		                                (json_int_t)recs[i].seq, "data", b64, "hash", hex));
	}
	json_t *body = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-1", "kiosk",
	                         (json_int_t)kiosk, "records", arr);
	char *out = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	return out;
}

/* db as a store URL: "sqlite:PATH" and "postgresql://..." as they are, a
 * bare path as the SQLite file it names. */
static void db_url_of(const char *db, char *url, size_t cap)
{
	if (strncmp(db, "sqlite:", 7) == 0 || strncmp(db, "postgresql:", 11) == 0 ||
	    strncmp(db, "postgres:", 9) == 0)
		snprintf(url, cap, "%s", db);
	else
		snprintf(url, cap, "sqlite:%s", db);
}

int harness_exec_file(const char *db, const char *sql_path)
{
	FILE *f = fopen(sql_path, "r");
	if (!f) {
		fprintf(stderr, "harness: cannot read %s\n", sql_path);
		return WF_EIO;
	}
	static char sql[1024 * 1024];
	size_t n = fread(sql, 1, sizeof sql - 1, f);
	fclose(f);
	sql[n] = '\0';
	char url[1024];
	db_url_of(db, url, sizeof url);
	if (testdb_exec(url, sql) != 0) {
		fprintf(stderr, "harness: %s on %s failed\n", sql_path, url);
		return WF_EIO;
	}
	return 0;
}

long harness_count(const char *db, const char *sql)
{
	char url[1024];
	db_url_of(db, url, sizeof url);
	long n = testdb_count(url, sql);
	return n < 0 ? WF_EIO : n;
}

int harness_blob_sql(const char *db, const uint8_t *bytes, size_t len, char *out, size_t cap)
{
	char url[1024];
	db_url_of(db, url, sizeof url);
	bool sqlite = strncmp(url, "sqlite:", 7) == 0;
	size_t head = sqlite ? 2 : 3, tail = sqlite ? 1 : 8; /* x'..' or '\x..'::bytea */
	if (cap < head + 2 * len + tail + 1)
		return WF_EINVAL;
	memcpy(out, sqlite ? "x'" : "'\\x", head);
	if (hex_encode(bytes, len, out + head, cap - head) != WF_OK)
		return WF_EINVAL;
	memcpy(out + head + 2 * len, sqlite ? "'" : "'::bytea", tail + 1);
	return WF_OK;
}

int harness_holds_record(const char *db, unsigned kiosk, uint64_t seq, const uint8_t *bytes,
                         size_t len)
{
	char blob[2 * WF_RECORD_MAX_LEN + 16], sql[160 + sizeof blob];
	if (len > WF_RECORD_MAX_LEN || harness_blob_sql(db, bytes, len, blob, sizeof blob) != WF_OK)
		return 0;
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM records WHERE kiosk = %u AND seq = %llu AND bytes = %s",
	         kiosk, (unsigned long long)seq, blob);
	return harness_count(db, sql) == 1;
}

int harness_pg_admin(const char *url, char *name, size_t name_cap, char *admin, size_t cap)
{
	const char *at = strstr(url, "@/"), *q = at ? strchr(at, '?') : NULL;
	if (strncmp(url, "postgres", 8) != 0 || !q || (size_t)(q - at - 2) >= name_cap ||
	    q == at + 2)
		return WF_EINVAL;
	snprintf(name, name_cap, "%.*s", (int)(q - at - 2), at + 2);
	int n = snprintf(admin, cap, "%.*s/postgres%s", (int)(at + 1 - url), url, q);
	return n > 0 && (size_t)n < cap ? WF_OK : WF_EINVAL;
}

int harness_store_drop(const char *db)
{
	char name[128], admin[1024], sql[256];
	if (strncmp(db, "postgres", 8) != 0)
		return WF_OK;
	if (harness_pg_admin(db, name, sizeof name, admin, sizeof admin) != WF_OK)
		return WF_EINVAL;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	return testdb_exec(admin, sql) == 0 ? WF_OK : WF_EIO;
}
