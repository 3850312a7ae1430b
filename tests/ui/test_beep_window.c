/*
 * test_beep_window.c — the kiosk's tones end to end: wufei-kiosk in a real
 * window on Xvfb, with SDL's "disk" audio driver, which writes what the
 * audio device is given into a file. A resident's card, a recorded drop and
 * a blocked card must be heard in that order as the card-read two-tone,
 * the recorded chime and the refusal's double beep (tone.h), each note at
 * its pitch. Without the window, or at [sound] volume = 0, no audio device
 * is opened at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tone.h"
#include "wf_test.h"
#include "xwin.h"

static char g_dir[64], g_bin[400], g_log[128];
static struct xwin g_x;
static pid_t g_kiosk;
static int g_in = -1;
static char g_out[8192];
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

static void start_xvfb(void)
{
	assert_int_equal(xwin_start(&g_x, g_dir, 540, 960), 0);
}

/* A journal, a key and kiosk.ini (the demo's fixture) with this volume. */
static void make_kiosk(int volume)
{
	const char *src = getenv("WUFEI_SOURCE_DIR");
	assert_int_equal(sh("cd %s && %s/wufei-kiosk keygen --out k.key && "
	                    "%s/wufei-kiosk ledger init j.db --kiosk 1",
	                    g_dir, g_bin, g_bin),
	                 0);
	char path[128], ini[1024];
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 1\nname = Beep\nledger = %s/j.db\nkey_file = %s/k.key\n"
	         "fixture = %s/packaging/demo/fixture.json\n"
	         "[screen]\nwidth = 540\nheight = 960\nfullscreen = false\n"
	         "[session]\nstable_time_ms = 500\n[sound]\nvolume = %d\n",
	         g_dir, g_dir, src, volume);
	assert_int_equal(wf_test_write_file(path, ini), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_bin, sizeof g_bin, "%s", getenv("WUFEI_BIN_DIR"));
	memset(&g_x, 0, sizeof g_x);
	int rc = wf_test_tmpdir("beep", g_dir, sizeof g_dir);
	snprintf(g_log, sizeof g_log, "%s/kiosk.log", g_dir);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	xwin_end_child(&g_kiosk, &g_in);
	xwin_stop(&g_x);
	return wf_test_rmtree(g_dir);
}

/* Waits (up to 15 s) until the kiosk's log holds needle. */
static bool logged(const char *needle)
{
	return xwin_log_wait(g_log, 0, needle, 15000, false);
}

static void console(const char *line)
{
	assert_int_equal(write(g_in, line, strlen(line)), (ssize_t)strlen(line));
}

/* The kiosk in a window on Xvfb, its audio through SDL's disk driver into
 * audio_file (the variables go to the child through the environment). */
static void start_kiosk(const char *audio_file)
{
	char cfg[128], kiosk[512];
	snprintf(cfg, sizeof cfg, "%s/kiosk.ini", g_dir);
	snprintf(kiosk, sizeof kiosk, "%s/wufei-kiosk", g_bin);
	char *argv[] = {kiosk, "run", "--config", cfg, "--no-devices", "--window", NULL};
	setenv("SDL_AUDIODRIVER", "disk", 1);
	setenv("SDL_DISKAUDIOFILE", audio_file, 1);
	g_kiosk = xwin_spawn(&g_x, argv, g_log, &g_in, NULL);
	unsetenv("SDL_AUDIODRIVER");
	unsetenv("SDL_DISKAUDIOFILE");
}

static void stop_kiosk(void)
{
	console("quit\n");
	int st = -1;
	assert_int_equal(waitpid(g_kiosk, &st, 0), g_kiosk);
	g_kiosk = 0;
	assert_true(WIFEXITED(st));
}

static unsigned crossings(const int16_t *x, size_t n)
{
	unsigned c = 0;
	for (size_t i = 1; i < n; i++)
		if (x[i - 1] < 0 && x[i] >= 0)
			c++;
	return c;
}

/* Whether the sound starting at x[0] is tone kind at rate_hz, note by note. */
static bool sounds_like(const int16_t *x, size_t n, enum tone_kind kind, unsigned rate_hz)
{
	const struct tone_spec *t = tone_for(kind);
	size_t at = 0;
	for (unsigned i = 0; i < t->nnotes; i++) {
		size_t len = (size_t)t->notes[i].ms * rate_hz / 1000;
		if (at + len > n)
			return false;
		double want = t->notes[i].freq_hz * t->notes[i].ms / 1000.0;
		unsigned got = crossings(x + at, len);
		if (fabs(got - want) > want * 0.03 + 1) {
			printf("%s: note %u: %u periods, %.0f expected\n", tone_kind_name(kind), i,
			       got, want);
			return false;
		}
		at += len;
	}
	return true;
}

/* Card read, drop recorded, card refused: heard in that order. */
static void test_tones_heard(void **state)
{
	(void)state;
	char audio[128];
	snprintf(audio, sizeof audio, "%s/audio.raw", g_dir);
	start_xvfb();
	make_kiosk(60);
	start_kiosk(audio);
	assert_true(logged("sound: volume 60 through SDL's disk driver at "));
	assert_true(logged("screen attract"));
	console("weight 0 for 1000\ncard em4100:0014868981\n");
	assert_true(logged("screen category"));
	usleep(500000); /* the tone plays out */
	console("tap category paper\nweight 1250 for 1500\n");
	assert_true(logged("screen confirm"));
	console("tap confirm\n");
	assert_true(logged("screen receipt"));
	usleep(600000);
	console("tap done\n");
	assert_true(logged("screen attract\n"));
	console("card em4100:0010435873\n");
	assert_true(logged("screen refused"));
	usleep(800000);
	stop_kiosk();
	assert_int_equal(sh("grep -o 'disk driver at [0-9]*' %s/kiosk.log", g_dir), 0);
	unsigned rate = (unsigned)strtoul(g_out + strlen("disk driver at "), NULL, 10);
	assert_true(rate >= 8000);

	FILE *f = fopen(audio, "rb");
	assert_non_null(f);
	static int16_t pcm[48000 * 60];
	size_t n = fread(pcm, sizeof pcm[0], sizeof pcm / sizeof pcm[0], f);
	fclose(f);
	/* sounds: runs of samples with no 150 ms of silence inside */
	const enum tone_kind want[] = {TONE_CARD_READ, TONE_RECORDED, TONE_REFUSED};
	unsigned heard = 0;
	size_t i = 0, quiet = rate * 150 / 1000;
	while (i < n) {
		while (i < n && pcm[i] == 0)
			i++;
		if (i >= n)
			break;
		size_t start = i > 0 ? i - 1 : 0, last = i; /* a note starts at 0 */
		while (i < n && i - last < quiet) {
			if (pcm[i] != 0)
				last = i;
			i++;
		}
		assert_true(heard < 3);
		assert_true(sounds_like(pcm + start, n - start, want[heard], rate));
		heard++;
	}
	assert_int_equal(heard, 3);
}

/* Headless (screenshots only) and at volume 0 the kiosk opens no audio
 * device: nothing is written, and it runs as before. */
static void test_silent(void **state)
{
	(void)state;
	char audio[128], script[128];
	snprintf(audio, sizeof audio, "%s/audio.raw", g_dir);
	snprintf(script, sizeof script, "%s/visit.txt", g_dir);
	make_kiosk(60);
	assert_int_equal(wf_test_write_file(script, "card em4100:0010435873\n"
	                                            "expect screen refused\n"),
	                 0);
	assert_int_equal(sh("cd %s && SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE=%s "
	                    "%s/wufei-kiosk run --config kiosk.ini --script visit.txt "
	                    "--no-devices --screenshots shots",
	                    g_dir, audio, g_bin),
	                 0);
	assert_null(strstr(g_out, "sound:"));
	assert_int_not_equal(access(audio, F_OK), 0);

	start_xvfb();
	assert_int_equal(sh("sed -i 's/^volume = 60/volume = 0/' %s/kiosk.ini", g_dir), 0);
	start_kiosk(audio);
	assert_true(logged("sound: off ([sound] volume = 0)"));
	console("card em4100:0010435873\n");
	assert_true(logged("screen refused"));
	stop_kiosk();
	assert_int_not_equal(access(audio, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tones_heard, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_silent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
