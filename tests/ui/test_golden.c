/*
 * test_golden.c — golden screenshots: every screen in golden_views.c drawn
 * in Chinese and English at every size in golden_sizes (through ui.h, the
 * drawing the kiosk uses) and compared with the reviewed image in
 * tests/ui/golden/<screen>-<lang>-<size>.png.
 *
 * A pixel differs when one of its channels differs by more than
 * GOLDEN_CHANNEL_TOL; an image fails when more than 1 in GOLDEN_PIXEL_FRAC
 * of its pixels (and at least GOLDEN_PIXEL_MIN) differ. Fonts render the
 * same on every run here, so the tolerance is tight: test_catches_one_digit
 * proves one changed digit fails. On a failure the actual image and a diff
 * image (differences in red over the actual, greyed) go to
 * WUFEI_GOLDEN_OUT (default ./golden-out) and their paths are printed.
 *
 * WUFEI_GOLDEN_UPDATE=1 writes the actual images as the goldens instead
 * (scripts/ui-golden-update.sh, which also shrinks them losslessly).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "golden_views.h"
#include "i18n.h"
#include "ui.h"
#include "wf.h"

#define GOLDEN_CHANNEL_TOL 40
#define GOLDEN_PIXEL_FRAC  20000 /* 0.005% of the pixels: ~100 at 1080 x 1920 */
#define GOLDEN_PIXEL_MIN   20

static const char *const lang_names[] = {[WF_LANG_ZH] = "zh", [WF_LANG_EN] = "en"};

struct image {
	png_image info;
	uint8_t *rgb; /* width * height * 3 */
};

static char g_golden[512], g_out[512];
static bool g_update;

static void image_free(struct image *im)
{
	free(im->rgb);
	im->rgb = NULL;
}

/* Reads path as 8-bit RGB; false when it cannot. */
static bool image_read(const char *path, struct image *im)
{
	memset(im, 0, sizeof *im);
	im->info.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&im->info, path))
		return false;
	im->info.format = PNG_FORMAT_RGB;
	im->rgb = malloc(PNG_IMAGE_SIZE(im->info));
	if (!im->rgb || !png_image_finish_read(&im->info, NULL, im->rgb, 0, NULL)) {
		png_image_free(&im->info);
		image_free(im);
		return false;
	}
	return true;
}

static bool image_write(const char *path, const struct image *im)
{
	png_image out = im->info;
	out.opaque = NULL;
	out.format = PNG_FORMAT_RGB;
	return png_image_write_to_file(&out, path, 0, im->rgb, 0, NULL) != 0;
}

/* Pixels of a and b (same size) that differ by more than the tolerance;
 * with diff, marks them red on a greyed copy of b. */
static size_t image_compare(const struct image *a, const struct image *b, struct image *diff)
{
	size_t n = (size_t)a->info.width * a->info.height, bad = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = a->rgb + 3 * i, *q = b->rgb + 3 * i;
		bool differs = false;
		for (int c = 0; c < 3; c++)
			if (abs(p[c] - q[c]) > GOLDEN_CHANNEL_TOL)
				differs = true;
		bad += differs;
		if (diff) {
			uint8_t *d = diff->rgb + 3 * i;
			uint8_t grey = (uint8_t)(160 + (q[0] + q[1] + q[2]) / 3 * 95 / 255);
			d[0] = differs ? 255 : grey;
			d[1] = d[2] = differs ? 0 : grey;
		}
	}
	return bad;
}

static bool too_many(size_t bad, const struct image *im)
{
	size_t n = (size_t)im->info.width * im->info.height;
	size_t allowed = n / GOLDEN_PIXEL_FRAC;
	if (allowed < GOLDEN_PIXEL_MIN)
		allowed = GOLDEN_PIXEL_MIN;
	return bad > allowed;
}

/* Draws view g in language lang on u into path. */
static void draw(struct ui *u, const struct golden_view *g, enum wf_lang lang, const char *path)
{
	struct session_view v = g->view;
	v.language = lang;
	ui_set_health(u, g->has_health ? &g->health : NULL);
	/* what the screen glue tells the drawing, fixed: the same every run */
	struct ui_facts f = {.clock = "09:41",
	                     .has_today = true,
	                     .today_grams = 182450,
	                     .today_drops = 37,
	                     .help_nearest = "翠苑二区 Cuiyuan 2, Gate 3",
	                     .help_phone = "0571-8888 1234",
	                     .test_weight_g = 5000};
	ui_set_facts(u, &f);
	assert_true(ui_draw(u, &v, golden_cats, golden_ncats) >= 0);
	char err[300];
	if (ui_save_png(u, path, err, sizeof err) != WF_OK)
		fail_msg("%s", err);
}

static struct ui *open_ui(const struct golden_size *sz)
{
	struct ui_config cfg = {
	    .width = sz->width, .height = sz->height, .kiosk_name = "翠苑一区 Cuiyuan 1"};
	struct ui *u;
	char err[300];
	if (ui_open(&cfg, &u, err, sizeof err) != WF_OK)
		fail_msg("ui_open: %s", err);
	return u;
}

/* One image against its golden; false (and the paths printed) on a failure. */
static bool check_one(const char *name, const char *actual)
{
	char golden[1024], keep[1024], diffp[1024];
	snprintf(golden, sizeof golden, "%s/%s.png", g_golden, name);
	snprintf(keep, sizeof keep, "%s/%s.actual.png", g_out, name);
	snprintf(diffp, sizeof diffp, "%s/%s.diff.png", g_out, name);
	struct image a, b;
	assert_true(image_read(actual, &a));
	if (g_update) {
		assert_true(image_write(golden, &a));
		image_free(&a);
		return true;
	}
	bool ok = false;
	if (!image_read(golden, &b)) {
		print_message("golden %s: missing or unreadable (scripts/ui-golden-update.sh "
		              "makes it)\n  actual: %s\n",
		              golden, keep);
		rename(actual, keep);
	} else if (b.info.width != a.info.width || b.info.height != a.info.height) {
		print_message("golden %s: %ux%u, drawn %ux%u\n  actual: %s\n", golden, b.info.width,
		              b.info.height, a.info.width, a.info.height, keep);
		rename(actual, keep);
	} else {
		struct image d = {.info = a.info, .rgb = malloc(PNG_IMAGE_SIZE(a.info))};
		assert_non_null(d.rgb);
		size_t bad = image_compare(&b, &a, &d);
		ok = !too_many(bad, &a);
		if (!ok) {
			rename(actual, keep);
			image_write(diffp, &d);
			print_message("golden %s: %zu pixels differ\n  actual: %s\n  diff:   %s\n",
			              golden, bad, keep, diffp);
		}
		image_free(&d);
	}
	if (ok) {
		unlink(keep);
		unlink(diffp);
	}
	image_free(&a);
	image_free(&b);
	return ok;
}

/* Every view, both languages, every size. */
static void test_goldens(void **state)
{
	(void)state;
	unsigned failed = 0, n = 0;
	for (size_t s = 0; s < golden_nsizes; s++) {
		for (int l = WF_LANG_ZH; l <= WF_LANG_EN; l++) {
			struct ui *u = open_ui(&golden_sizes[s]);
			for (size_t i = 0; i < golden_nviews; i++, n++) {
				char name[200], actual[1024];
				snprintf(name, sizeof name, "%s-%s-%s", golden_views[i].name,
				         lang_names[l], golden_sizes[s].name);
				snprintf(actual, sizeof actual, "%s/%s.drawn.png", g_out, name);
				draw(u, &golden_views[i], (enum wf_lang)l, actual);
				failed += !check_one(name, actual);
				unlink(actual);
			}
			ui_close(u);
		}
	}
	print_message("%u screenshots %s, %u differ\n", n, g_update ? "written" : "compared",
	              failed);
	assert_int_equal(failed, 0);
}

/* Whether name (a file in the golden folder) is one the table makes. */
static bool expected(const char *file)
{
	for (size_t s = 0; s < golden_nsizes; s++)
		for (int l = WF_LANG_ZH; l <= WF_LANG_EN; l++)
			for (size_t i = 0; i < golden_nviews; i++) {
				char name[200];
				snprintf(name, sizeof name, "%s-%s-%s.png", golden_views[i].name,
				         lang_names[l], golden_sizes[s].name);
				if (!strcmp(name, file))
					return true;
			}
	return false;
}

/* No golden is left that no row makes (a renamed or removed screen). */
static void test_no_stale_goldens(void **state)
{
	(void)state;
	DIR *d = opendir(g_golden);
	assert_non_null(d);
	unsigned stale = 0;
	for (struct dirent *e = readdir(d); e; e = readdir(d)) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 4, ".png") || expected(e->d_name))
			continue;
		print_message("golden %s/%s: no screen makes it (remove it, or run "
		              "scripts/ui-golden-update.sh)\n",
		              g_golden, e->d_name);
		stale++;
	}
	closedir(d);
	assert_int_equal(stale, 0);
}

/* The tolerance is tight enough to see one digit changed on the confirm
 * screen, and loose enough to take the same screen drawn twice. */
static void test_catches_one_digit(void **state)
{
	(void)state;
	struct ui *u = open_ui(&golden_sizes[0]);
	const struct golden_view *confirm = NULL;
	for (size_t i = 0; i < golden_nviews; i++)
		if (golden_views[i].view.screen == SESSION_SCREEN_CONFIRM)
			confirm = &golden_views[i];
	assert_non_null(confirm);
	struct golden_view other = *confirm;
	other.view.points += 1; /* 40 points become 41 */
	char p1[1024], p2[1024], p3[1024];
	snprintf(p1, sizeof p1, "%s/digit-a.png", g_out);
	snprintf(p2, sizeof p2, "%s/digit-b.png", g_out);
	snprintf(p3, sizeof p3, "%s/digit-c.png", g_out);
	draw(u, confirm, WF_LANG_EN, p1);
	draw(u, &other, WF_LANG_EN, p2);
	draw(u, confirm, WF_LANG_EN, p3);
	ui_close(u);
	struct image a, b, c;
	assert_true(image_read(p1, &a) && image_read(p2, &b) && image_read(p3, &c));
	size_t bad = image_compare(&a, &b, NULL);
	print_message("one digit changed: %zu pixels differ\n", bad);
	assert_true(too_many(bad, &a));
	assert_int_equal(image_compare(&a, &c, NULL), 0);
	image_free(&a);
	image_free(&b);
	image_free(&c);
	unlink(p1);
	unlink(p2);
	unlink(p3);
}

static int setup(void **state)
{
	(void)state;
	const char *src = getenv("WUFEI_SOURCE_DIR"), *out = getenv("WUFEI_GOLDEN_OUT");
	const char *up = getenv("WUFEI_GOLDEN_UPDATE");
	g_update = up && !strcmp(up, "1");
	snprintf(g_golden, sizeof g_golden, "%s/tests/ui/golden", src ? src : ".");
	snprintf(g_out, sizeof g_out, "%s", out && *out ? out : "golden-out");
	if ((mkdir(g_out, 0755) != 0 && errno != EEXIST) ||
	    (g_update && mkdir(g_golden, 0755) != 0 && errno != EEXIST))
		return -1;
	char err[256];
	return wf_i18n_init(NULL, err, sizeof err) == WF_OK ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catches_one_digit),
	    cmocka_unit_test(test_goldens),
	    cmocka_unit_test(test_no_stale_goldens),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
