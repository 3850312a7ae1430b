/* kmetrics_writer.c — the metrics file written atomically, on its own
 * thread (kmetrics.h). The only file of the module that does I/O. */
#include "kmetrics.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kmetrics_write_file(const char *path, const char *text, size_t len, char *err, size_t err_len)
{
	char tmp[1100];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		snprintf(err, err_len, "metrics: %s: path too long", path);
		return -1;
	}
	/* a name of its own (mkstemp); 0644: node-exporter reads it as another
	 * user. The collector reads only *.prom: it never sees the temp file. */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0 && fchmod(fd, 0644) != 0) {
		close(fd);
		unlink(tmp);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(err, err_len,
		         "metrics: cannot write %s: %s (the folder must exist and be writable by "
		         "the kiosk's user: see [metrics] textfile)",
		         tmp, strerror(errno));
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int e = off == len ? 0 : errno ? errno : EIO;
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		snprintf(err, err_len, "metrics: cannot write %s: %s (disk full or read-only?)",
		         path, strerror(e));
		return -1;
	}
	return 0;
}

struct kmetrics_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *path;
	void (*say)(void *ctx, const char *msg);
	void *ctx;
	char *text; /* posted, not yet written; NULL: none */
	size_t len;
	bool stop;
	bool failing; /* the last write failed (said once) */
};

static void write_one(struct kmetrics_writer *w, char *text, size_t len)
{
	char err[1300];
	int rc = kmetrics_write_file(w->path, text, len, err, sizeof err);
	if (rc != 0 && !w->failing && w->say)
		w->say(w->ctx, err);
	w->failing = rc != 0;
	free(text);
}

static void *writer_main(void *arg)
{
	struct kmetrics_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->text && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->text)
			break; /* stopped with nothing left to write */
		char *text = w->text;
		size_t len = w->len;
		w->text = NULL;
		pthread_mutex_unlock(&w->mu);
		write_one(w, text, len);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct kmetrics_writer *kmetrics_writer_start(const char *path,
                                              void (*say)(void *ctx, const char *msg), void *ctx)
{
	struct kmetrics_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->path = strdup(path);
	w->say = say;
	w->ctx = ctx;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (!w->path || pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		free(w->path);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return NULL;
	}
	return w;
}

void kmetrics_writer_post(struct kmetrics_writer *w, const char *text, size_t len)
{
	if (!w)
		return;
	char *copy = malloc(len + 1);
	if (!copy)
		return; /* the next one will do */
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&w->mu);
	free(w->text); /* not written yet: this one is newer */
	w->text = copy;
	w->len = len;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void kmetrics_writer_stop(struct kmetrics_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	free(w->text);
	free(w->path);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
