/* log.c — the one log (log.h): escaping, the rate limit, the fields. */
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log_journal.h"

#define KINDS 64 /* kinds of message remembered for the rate limit */

struct kind {
	uint64_t key; /* 0: free */
	int64_t window_start_ms;
	unsigned in_window;
	uint64_t suppressed; /* left out since the last line of this kind */
};

struct wf_log {
	pthread_mutex_t mu;
	FILE *out;
	const char *program;
	const struct wf_clock *clock;
	struct kind kinds[KINDS];
	struct kind all; /* every line: the bound on the log's growth */
	uint64_t suppressed_total;
	int journal;       /* lines go to the journal (log_journal_stream) */
	const char *ident; /* SYSLOG_IDENTIFIER= */
	int64_t kiosk;     /* WUFEI_KIOSK= of lines without their own */
};

/* wf_log_scope: the calling thread's fields */
static _Thread_local struct wf_log_ctx scope;
static _Thread_local char scope_device[32];

struct wf_log *wf_log_create(FILE *out, const char *program, const struct wf_clock *clock)
{
	assert(out);
	struct wf_log *log = calloc(1, sizeof *log);
	if (!log)
		return NULL;
	pthread_mutex_init(&log->mu, NULL);
	log->out = out;
	log->program = program;
	log->clock = clock ? clock : wf_clock_system();
	log->journal = log_journal_stream(out);
	log->ident = program ? program : program_invocation_short_name;
	return log;
}

void wf_log_set_kiosk(struct wf_log *log, int64_t kiosk)
{
	if (!log)
		return;
	pthread_mutex_lock(&log->mu);
	log->kiosk = kiosk;
	pthread_mutex_unlock(&log->mu);
}

int wf_log_to_journal(const struct wf_log *log)
{
	return log && log->journal;
}

void wf_log_scope(const struct wf_log_ctx *ctx)
{
	memset(&scope, 0, sizeof scope);
	scope_device[0] = '\0';
	if (!ctx)
		return;
	scope.kiosk = ctx->kiosk;
	scope.seq = ctx->seq;
	if (ctx->device) {
		snprintf(scope_device, sizeof scope_device, "%s", ctx->device);
		scope.device = scope_device;
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] >= 0xf5 || len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

size_t wf_log_escape(const char *in, char *out, size_t cap)
{
	assert(in && out && cap);
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n;) {
		char esc[8];
		size_t k = 0, take = 1;
		size_t u = s[i] >= 0x80 ? utf8_len(s + i, n - i) : 0;
		if (u) {
			take = u;
			memcpy(esc, s + i, u);
			k = u;
		} else if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = s[i] == '\n'   ? 'n'
			         : s[i] == '\r' ? 'r'
			         : s[i] == '\t' ? 't'
			                        : '\\';
			k = 2;
		} else if (s[i] < 0x20 || s[i] >= 0x7f) {
			static const char hex[] = "0123456789abcdef";
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[s[i] >> 4];
			esc[3] = hex[s[i] & 15];
			k = 4;
		} else {
			esc[0] = (char)s[i];
			k = 1;
		}
		if (o + k + 1 > cap)
			break; /* cut at a whole escape or character */
		memcpy(out + o, esc, k);
		o += k;
		i += take;
	}
	out[o] = '\0';
	return o;
}

/* FNV-1a of the message without its digits: "GET /r/1 -> 404" and
 * "GET /r/2 -> 404" are one kind. */
static uint64_t text_key(const char *msg)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p >= '0' && *p <= '9')
			continue;
		h = (h ^ *p) * 1099511628211ULL;
	}
	return h | 1;
}

/* The slot of a kind: its own among 4 neighbours, or a free one, or the
 * one whose window is oldest (its count of lines left out is said then). */
static struct kind *find_kind(struct wf_log *log, uint64_t key)
{
	struct kind *oldest = NULL;
	for (unsigned i = 0; i < 4; i++) {
		struct kind *k = &log->kinds[(key + i) % KINDS];
		if (k->key == key || k->key == 0)
			return k;
		if (!oldest || k->window_start_ms < oldest->window_start_ms)
			oldest = k;
	}
	return oldest;
}

/* The window of k moves on once WF_LOG_WINDOW_MS have passed (or the
 * clock seems to have gone back). */
static void roll(struct kind *k, int64_t now)
{
	if (now - k->window_start_ms >= WF_LOG_WINDOW_MS || now < k->window_start_ms) {
		k->window_start_ms = now;
		k->in_window = 0;
	}
}

/* One line of text (escaped), to the journal with its fields or the stream;
 * called locked. */
static void emit(struct wf_log *log, unsigned lv, const char *esc, const struct wf_log_ctx *f)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	if (log->journal &&
	    log_journal_send((int)lv, log->ident, esc, f->kiosk, f->seq, f->device) == 0)
		return;
	if (log->program)
		fprintf(log->out, "%s: %s: ", log->program, names[lv]);
	else if (lv == WF_LOG_WARN)
		fputs("warning: ", log->out);
	else if (lv == WF_LOG_ERROR)
		fputs("error: ", log->out);
	fputs(esc, log->out);
	fputc('\n', log->out);
	fflush(log->out);
}

/* The count of lines left out, said on a line of its own; called locked. */
static void left_out(struct wf_log *log, uint64_t n)
{
	char text[64];
	snprintf(text, sizeof text, "(%llu similar lines left out)", (unsigned long long)n);
	if (log->journal &&
	    log_journal_send(WF_LOG_INFO, log->ident, text, log->kiosk, 0, NULL) == 0)
		return;
	fprintf(log->out, "%s\n", text);
	fflush(log->out);
}

/* Whether a line of this kind may be written now; called locked. *was
 * receives the count left out before it (to be said on this line). */
static bool admit(struct wf_log *log, uint64_t key, uint64_t *was)
{
	int64_t now = log->clock->mono_ms(log->clock->ctx);
	struct kind *k = find_kind(log, key);
	*was = 0;
	roll(&log->all, now);
	if (log->all.in_window >= WF_LOG_BURST_ALL) {
		log->all.suppressed++;
		log->suppressed_total++;
		return false;
	}
	if (k->key != key) {
		/* a new kind takes the slot; what the old one left out is said now */
		if (k->key && k->suppressed)
			left_out(log, k->suppressed);
		k->key = key;
		k->window_start_ms = now;
		k->in_window = 0;
		k->suppressed = 0;
	}
	roll(k, now);
	if (k->in_window >= WF_LOG_BURST) {
		k->suppressed++;
		log->suppressed_total++;
		return false;
	}
	k->in_window++;
	log->all.in_window++;
	*was = k->suppressed + log->all.suppressed;
	k->suppressed = 0;
	log->all.suppressed = 0;
	return true;
}

/* The fields of a line: its own, else the thread's scope, else the log's
 * kiosk; the device escaped into dev[cap]. */
static struct wf_log_ctx merge(const struct wf_log *log, const struct wf_log_ctx *own, char *dev,
                               size_t cap)
{
	struct wf_log_ctx f = scope;
	if (own && own->kiosk)
		f.kiosk = own->kiosk;
	if (own && own->seq)
		f.seq = own->seq;
	if (own && own->device)
		f.device = own->device;
	if (!f.kiosk)
		f.kiosk = log->kiosk;
	dev[0] = '\0';
	if (f.device)
		wf_log_escape(f.device, dev, cap);
	f.device = dev;
	return f;
}

static void write_line(struct wf_log *log, uint64_t key, enum wf_log_level level, const char *msg,
                       const struct wf_log_ctx *own)
{
	char esc[WF_LOG_LINE_MAX * 4 + 64];
	size_t n = wf_log_escape(msg, esc, WF_LOG_LINE_MAX * 4 + 1);
	char dev[64];
	pthread_mutex_lock(&log->mu);
	struct wf_log_ctx f = merge(log, own, dev, sizeof dev);
	uint64_t was;
	if (admit(log, key, &was)) {
		unsigned lv = (unsigned)level <= WF_LOG_ERROR ? (unsigned)level : WF_LOG_ERROR;
		if (was)
			snprintf(esc + n, sizeof esc - n, " (%llu similar lines left out)",
			         (unsigned long long)was);
		emit(log, lv, esc, &f);
	}
	pthread_mutex_unlock(&log->mu);
}

/* A line from fmt and ap with its own fields (NULL: the scope's). */
static void vfields(struct wf_log *log, enum wf_log_level level, const struct wf_log_ctx *ctx,
                    const char *fmt, va_list ap)
{
	if (!log)
		return;
	char msg[WF_LOG_LINE_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	write_line(log, text_key(msg), level, msg, ctx);
}

void wf_log_vprintf(struct wf_log *log, enum wf_log_level level, const char *fmt, va_list ap)
{
	vfields(log, level, NULL, fmt, ap);
}

void wf_log_fields(struct wf_log *log, enum wf_log_level level, const struct wf_log_ctx *ctx,
                   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfields(log, level, ctx, fmt, ap);
	va_end(ap);
}

void wf_log_printf(struct wf_log *log, enum wf_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wf_log_vprintf(log, level, fmt, ap);
	va_end(ap);
}

void wf_log_hook(void *ctx, enum wf_log_level level, const char *msg)
{
	struct wf_log *log = ctx;
	if (!log || !msg)
		return;
	char cut[WF_LOG_LINE_MAX];
	snprintf(cut, sizeof cut, "%s", msg);
	write_line(log, text_key(cut), level, cut, NULL);
}

uint64_t wf_log_suppressed(struct wf_log *log)
{
	pthread_mutex_lock(&log->mu);
	uint64_t n = log->suppressed_total;
	pthread_mutex_unlock(&log->mu);
	return n;
}

void wf_log_destroy(struct wf_log *log)
{
	if (!log)
		return;
	uint64_t left = log->all.suppressed;
	for (size_t i = 0; i < KINDS; i++)
		left += log->kinds[i].key ? log->kinds[i].suppressed : 0;
	if (left)
		left_out(log, left);
	fflush(log->out);
	pthread_mutex_destroy(&log->mu);
	free(log);
}
