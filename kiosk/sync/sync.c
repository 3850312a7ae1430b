/*
 * sync.c — the sync client's life: create and destroy, one round
 * (sync_round: epoch once, the outbox up, pruning, down-sync and heartbeat
 * when due) and the thread that runs rounds with back-off. The parts of a
 * round live in the files sync_private.h lists.
 */
#include "sync_private.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IDLE_WAIT_MS 5000 /* between rounds when all is well and nothing is kicked */

int64_t sync_backoff_ms(int attempt, int64_t min_ms, int64_t cap_ms, uint32_t rnd)
{
	int64_t hi = min_ms;
	for (int i = 1; i < attempt && hi < cap_ms; i++)
		hi *= 2;
	if (hi > cap_ms)
		hi = cap_ms;
	if (hi <= min_ms)
		return hi;
	/* "full jitter" between min and hi, so kiosks that failed together spread out */
	return min_ms + (int64_t)((uint64_t)rnd % (uint64_t)(hi - min_ms + 1));
}

/* Down-sync and heartbeat when due (force = now); scheduled on the clock's
 * monotonic time: the kiosk's wall clock can jump a year either way. */
static int due_calls(struct sync *s, bool force)
{
	int rc = WF_OK;
	int64_t mono = wf_clock_mono_ms(s->clock);
	if (force || mono >= s->next_downsync_ms) {
		rc = sync_downsync(s);
		if (rc == WF_OK)
			s->next_downsync_ms = mono + s->cfg.downsync_every_ms;
	}
	if (rc == WF_OK && (force || mono >= s->next_heartbeat_ms)) {
		rc = sync_heartbeat(s);
		if (rc == WF_OK)
			s->next_heartbeat_ms = mono + s->cfg.heartbeat_every_ms;
	}
	return rc;
}

/* The round's outcome into the status. */
static void note_round(struct sync *s, int rc, int64_t now)
{
	int64_t depth = -1, held = -1;
	ledger_outbox_depth(s->ledger, &depth);
	ledger_conflict_count(s->ledger, &held);
	pthread_mutex_lock(&s->lock);
	s->st.outbox_depth = depth;
	s->st.conflicts_held = held;
	if (rc == WF_OK) {
		s->st.last_success_ms = now;
		s->st.last_error[0] = '\0';
		s->st.refused = false;
		s->st.rounds_ok++;
	} else {
		s->st.rounds_failed++;
	}
	pthread_mutex_unlock(&s->lock);
}

int sync_round(struct sync *s, bool force)
{
	int rc = WF_OK;
	pthread_mutex_lock(&s->lock);
	bool epoch_done = s->st.epoch_done;
	pthread_mutex_unlock(&s->lock);
	if (!epoch_done)
		rc = sync_epoch(s, "start");
	while (rc == WF_OK) {
		int n = sync_upload_batch(s);
		if (n < 0)
			rc = n;
		if (n <= 0)
			break;
	}
	/* After the uploads: applies a checkpoint just acknowledged, and appends
	 * the next one (it goes up with the next round). Logged; never a reason
	 * to hold the outbox back. */
	if (rc == WF_OK)
		(void)sync_maintain(s);
	int64_t now = wf_clock_utc_ms(s->clock);
	if (rc == WF_OK)
		rc = due_calls(s, force);
	note_round(s, rc, now);
	return rc;
}

/* Waits wait_ms, or until stopped or (after a success) kicked; true when
 * stopped. The wait itself is on CLOCK_MONOTONIC, which the condition
 * variable needs; what is due when is the clock's business. */
static bool wait_or_stop(struct sync *s, int64_t wait_ms, bool retrying)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->stop && !(s->kicked && !retrying))
		if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0)
			break;
	bool stop = s->stop;
	s->kicked = false;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void *sync_main(void *arg)
{
	struct sync *s = arg;
	int attempt = 0;
	for (;;) {
		int rc = sync_round(s, false);
		attempt = rc == WF_OK ? 0 : attempt + 1;
		pthread_mutex_lock(&s->lock);
		bool refused = s->st.refused;
		pthread_mutex_unlock(&s->lock);
		int64_t wait_ms = attempt
		                      ? sync_backoff_ms(attempt, s->cfg.backoff_min_ms,
		                                        s->cfg.backoff_cap_ms, randombytes_random())
		                      : IDLE_WAIT_MS;
		if (refused) /* retrying cannot cure it: ask again only now and then */
			wait_ms = s->cfg.backoff_cap_ms;
		if (wait_or_stop(s, wait_ms, attempt != 0))
			break;
	}
	return NULL;
}

int sync_start(struct sync *s)
{
	if (s->running)
		return WF_ESTATE;
	s->stop = false;
	if (pthread_create(&s->thread, NULL, sync_main, s) != 0)
		return WF_EIO;
	s->running = true;
	return WF_OK;
}

void sync_stop(struct sync *s)
{
	if (!s || !s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
}

void sync_kick(struct sync *s)
{
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void sync_get_status(struct sync *s, struct sync_status *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

static bool config_ok(const struct sync_config *cfg)
{
	return cfg->url &&
	       (!strncmp(cfg->url, "http://", 7) || !strncmp(cfg->url, "https://", 8)) &&
	       strlen(cfg->url) < SYNC_URL_MAX && cfg->secret_key && cfg->ledger_path &&
	       cfg->kiosk != 0 && cfg->key_id != 0 && cfg->batch_max <= SYNC_BATCH_MAX;
}

/* The config with every 0 replaced by its default, and our own copies. */
static void config_take(struct sync *s, const struct sync_config *cfg)
{
	s->cfg = *cfg;
	snprintf(s->url, sizeof s->url, "%s", cfg->url);
	size_t ul = strlen(s->url);
	if (ul && s->url[ul - 1] == '/')
		s->url[ul - 1] = '\0';
	snprintf(s->ca_file, sizeof s->ca_file, "%s", cfg->ca_file ? cfg->ca_file : "");
	s->cfg.url = s->url;
	s->cfg.ca_file = s->ca_file;
	memcpy(s->secret_key, cfg->secret_key, sizeof s->secret_key);
	s->cfg.secret_key = s->secret_key;
	s->clock = cfg->clock ? cfg->clock : wf_clock_system();
	s->cfg.clock = s->clock;
	if (!s->cfg.batch_max)
		s->cfg.batch_max = SYNC_BATCH_MAX;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = 10000;
	if (!s->cfg.backoff_min_ms)
		s->cfg.backoff_min_ms = 500;
	if (!s->cfg.backoff_cap_ms)
		s->cfg.backoff_cap_ms = 300000;
	if (!s->cfg.heartbeat_every_ms)
		s->cfg.heartbeat_every_ms = 60000;
	if (!s->cfg.downsync_every_ms)
		s->cfg.downsync_every_ms = 60000;
	if (!s->cfg.keep_records)
		s->cfg.keep_records = SYNC_KEEP_RECORDS;
	if (!s->cfg.prune_every)
		s->cfg.prune_every = s->cfg.keep_records / 10 + 1;
}

int sync_create(const struct sync_config *cfg, struct sync **out, char *err, size_t err_len)
{
	*out = NULL;
	if (!config_ok(cfg)) {
		snprintf(err, err_len, "sync: bad configuration (url, key, kiosk or batch size)");
		return WF_EINVAL;
	}
	struct sync *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	config_take(s, cfg);
	s->st.outbox_depth = -1;
	s->st.conflicts_held = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->body = malloc(SYNC_BODY_MAX);
	s->items = calloc(s->cfg.batch_max, sizeof *s->items);
	s->curl = curl_easy_init();
	int rc = s->body && s->items && s->curl ? WF_OK : WF_ENOMEM;
	struct ledger_options lo = {.clock = s->clock};
	if (rc == WF_OK)
		rc = ledger_open_with(cfg->ledger_path, &lo, &s->ledger, err, err_len);
	else
		snprintf(err, err_len, "out of memory");
	if (rc != WF_OK) {
		sync_destroy(s);
		return rc;
	}
	*out = s;
	return WF_OK;
}

void sync_destroy(struct sync *s)
{
	if (!s)
		return;
	sync_stop(s);
	ledger_close(s->ledger);
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->body);
	free(s->items);
	sodium_memzero(s->secret_key, sizeof s->secret_key);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
