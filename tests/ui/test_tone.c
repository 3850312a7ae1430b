/*
 * test_tone.c — the feedback tones: their samples (pure tone.c: pitch by
 * zero crossings, loudness by volume, fades, no clipping) and the SDL part
 * (sound.c) on SDL's "disk" audio driver, which writes what the device
 * would play into a file that the test reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sound.h"
#include "tone.h"
#include "wf.h"
#include "wf_test.h"

#define RATE 48000

static int16_t g_buf[RATE * 2];

/* Upward zero crossings in x[0..n): one a period. */
static unsigned crossings(const int16_t *x, size_t n)
{
	unsigned c = 0;
	for (size_t i = 1; i < n; i++)
		if (x[i - 1] < 0 && x[i] >= 0)
			c++;
	return c;
}

static int peak_of(const int16_t *x, size_t n)
{
	int p = 0;
	for (size_t i = 0; i < n; i++)
		if (abs(x[i]) > p)
			p = abs(x[i]);
	return p;
}

/* Each note's pitch, counted from its samples, is its frequency (±2%). */
static void test_pitch(void **state)
{
	(void)state;
	for (int k = 0; k < TONE_KIND_COUNT; k++) {
		const struct tone_spec *t = tone_for((enum tone_kind)k);
		size_t n = tone_render(t, RATE, 100, g_buf, sizeof g_buf / sizeof g_buf[0]);
		assert_int_equal(n, tone_samples(t, RATE));
		size_t at = 0;
		for (unsigned i = 0; i < t->nnotes; i++) {
			size_t len = (size_t)t->notes[i].ms * RATE / 1000;
			double want = t->notes[i].freq_hz * t->notes[i].ms / 1000.0;
			unsigned got = crossings(g_buf + at, len);
			if (want == 0)
				assert_int_equal(peak_of(g_buf + at, len), 0);
			else
				assert_true(fabs(got - want) <= want * 0.02 + 1);
			at += len;
		}
	}
	/* the meanings sound different: rising for good news, low for refusal */
	const struct tone_spec *ok = tone_for(TONE_CARD_READ), *no = tone_for(TONE_REFUSED);
	assert_true(ok->notes[1].freq_hz > ok->notes[0].freq_hz);
	assert_true(no->notes[0].freq_hz < ok->notes[0].freq_hz / 2);
	assert_int_not_equal(tone_for(TONE_RECORDED)->nnotes, ok->nnotes);
	assert_string_equal(tone_kind_name(TONE_REFUSED), "refused");
}

/* The peak is the volume's share of TONE_PEAK; 0 is silence; never clipped. */
static void test_volume(void **state)
{
	(void)state;
	const unsigned vols[] = {0, 10, 50, 60, 100, 250};
	for (int k = 0; k < TONE_KIND_COUNT; k++) {
		const struct tone_spec *t = tone_for((enum tone_kind)k);
		for (size_t v = 0; v < sizeof vols / sizeof vols[0]; v++) {
			size_t n = tone_render(t, RATE, vols[v], g_buf, RATE * 2);
			unsigned vol = vols[v] > 100 ? 100 : vols[v];
			double want = TONE_PEAK * vol / 100.0;
			int p = peak_of(g_buf, n);
			assert_true(p <= TONE_PEAK && p < 32767);
			assert_true(fabs(p - want) <= want * 0.02 + 1);
		}
	}
}

/* Every note starts and ends at silence and fades: no step between two
 * samples bigger than the steepest slope of the wave itself (no click). */
static void test_fades(void **state)
{
	(void)state;
	for (int k = 0; k < TONE_KIND_COUNT; k++) {
		const struct tone_spec *t = tone_for((enum tone_kind)k);
		size_t n = tone_render(t, RATE, 100, g_buf, RATE * 2);
		size_t at = 0, fade = (size_t)t->fade_ms * RATE / 1000;
		unsigned fmax = 0;
		for (unsigned i = 0; i < t->nnotes; i++) {
			size_t len = (size_t)t->notes[i].ms * RATE / 1000;
			if (t->notes[i].freq_hz) {
				assert_true(abs(g_buf[at]) < 50 && abs(g_buf[at + len - 1]) < 50);
				/* the first and last tenth of the fade stay quiet */
				assert_true(peak_of(g_buf + at, fade / 10) < TONE_PEAK / 20);
				assert_true(peak_of(g_buf + at + len - fade / 10, fade / 10) <
				            TONE_PEAK / 20);
				/* and the middle is at full volume */
				assert_true(peak_of(g_buf + at + fade, len - 2 * fade) >
				            TONE_PEAK * 9 / 10);
			}
			if (t->notes[i].freq_hz > fmax)
				fmax = t->notes[i].freq_hz;
			at += len;
		}
		/* a square's 5th harmonic is the steepest part of the refusal */
		double harm = t->wave == TONE_SQUARE ? 3.3 : 1.0;
		double slope = TONE_PEAK * 2 * M_PI * fmax / RATE * harm * 1.05;
		for (size_t i = 1; i < n; i++)
			assert_true(abs(g_buf[i] - g_buf[i - 1]) <= slope);
	}
}

/* A buffer too small cuts the tone short, never overruns. */
static void test_cap(void **state)
{
	(void)state;
	g_buf[100] = 12345;
	assert_int_equal(tone_render(tone_for(TONE_RECORDED), RATE, 100, g_buf, 100), 100);
	assert_int_equal(g_buf[100], 12345);
	const struct tone_spec silent = {.nnotes = 1, .notes = {{0, 10}}};
	assert_int_equal(tone_render(&silent, 8000, 100, g_buf, 1000), 80);
	assert_int_equal(peak_of(g_buf, 80), 0);
}

/* The SDL part on the "disk" driver: the tone played is in the file, at
 * its pitch; volume 0 opens no device at all. */
static void test_sdl_disk(void **state)
{
	(void)state;
	char dir[64], file[128], err[256];
	assert_int_equal(wf_test_tmpdir("tone", dir, sizeof dir), 0);
	snprintf(file, sizeof file, "%s/out.raw", dir);
	setenv("SDL_AUDIODRIVER", "disk", 1);
	setenv("SDL_DISKAUDIOFILE", file, 1);
	struct sound *s = (struct sound *)1;
	assert_int_equal(sound_open(0, &s, err, sizeof err), WF_EINVAL);
	assert_null(s);
	sound_play(NULL, TONE_CARD_READ); /* no device: nothing, no crash */
	int rc = sound_open(60, &s, err, sizeof err);
	if (rc != WF_OK) {
		print_message("no SDL disk audio driver here: %s\n", err);
		wf_test_rmtree(dir);
		skip();
	}
	unsigned rate = sound_rate(s);
	sound_play(s, TONE_CARD_READ);
	usleep(600 * 1000); /* the disk driver writes in real time */
	sound_close(s);
	FILE *f = fopen(file, "rb");
	assert_non_null(f);
	size_t n = fread(g_buf, sizeof g_buf[0], sizeof g_buf / sizeof g_buf[0], f);
	fclose(f);
	size_t first = 0;
	while (first < n && g_buf[first] == 0)
		first++;
	const struct tone_spec *t = tone_for(TONE_CARD_READ);
	size_t len = (size_t)t->notes[0].ms * rate / 1000;
	assert_true(first + tone_samples(t, rate) <= n);
	double want = t->notes[0].freq_hz * t->notes[0].ms / 1000.0;
	assert_true(fabs(crossings(g_buf + first, len) - want) <= want * 0.02 + 1);
	int p = peak_of(g_buf + first, tone_samples(t, rate));
	assert_true(abs(p - TONE_PEAK * 60 / 100) < TONE_PEAK / 50);
	wf_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pitch),    cmocka_unit_test(test_volume),
	    cmocka_unit_test(test_fades),    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_sdl_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
