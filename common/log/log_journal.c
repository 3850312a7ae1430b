/* log_journal.c — the log's lines into the systemd journal (log_journal.h). */
#include "log_journal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

int log_journal_stream(FILE *out)
{
	const char *env = getenv("JOURNAL_STREAM");
	if (!env || !*env || !out)
		return 0;
	char *end;
	unsigned long long dev = strtoull(env, &end, 10);
	if (end == env || *end != ':')
		return 0;
	const char *ino_s = end + 1;
	unsigned long long ino = strtoull(ino_s, &end, 10);
	if (end == ino_s || *end != '\0')
		return 0;
	struct stat st;
	if (fstat(fileno(out), &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* syslog priorities: debug 7, info 6, warning 4, err 3 */
static int priority(int level)
{
	static const int p[] = {7, 6, 4, 3};
	return level >= 0 && level <= 3 ? p[level] : 3;
}

static size_t field(struct iovec *iov, char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t field(struct iovec *iov, char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
	iov->iov_base = buf;
	iov->iov_len = len;
	return len;
}

int log_journal_send(int level, const char *ident, const char *msg, int64_t kiosk, uint64_t seq,
                     const char *device)
{
	/* sd_journal_send says nothing when the journal's socket is missing
	 * (journald stopped): look first, so that the line goes to the stream */
	struct stat st;
	if (stat("/run/systemd/journal/socket", &st) != 0 || !S_ISSOCK(st.st_mode))
		return -1;
	struct iovec iov[6];
	char prio[16], id[80], k[40], s[40], d[80];
	int n = 0;
	size_t mlen = strlen(msg);
	char *m = malloc(mlen + sizeof "MESSAGE=");
	if (!m)
		return -1;
	memcpy(m, "MESSAGE=", 8);
	memcpy(m + 8, msg, mlen + 1);
	iov[n].iov_base = m;
	iov[n++].iov_len = mlen + 8;
	field(&iov[n++], prio, sizeof prio, "PRIORITY=%d", priority(level));
	if (ident && *ident)
		field(&iov[n++], id, sizeof id, "SYSLOG_IDENTIFIER=%s", ident);
	if (kiosk > 0)
		field(&iov[n++], k, sizeof k, "WUFEI_KIOSK=%" PRId64, kiosk);
	if (seq > 0)
		field(&iov[n++], s, sizeof s, "WUFEI_SEQ=%" PRIu64, seq);
	if (device && *device)
		field(&iov[n++], d, sizeof d, "WUFEI_DEVICE=%s", device);
	int rc = sd_journal_sendv(iov, n);
	free(m);
	return rc < 0 ? -1 : 0;
}
