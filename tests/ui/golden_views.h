/*
 * golden_views.h — the screens the golden screenshot test draws: one
 * representative view a row (golden_views.c), each drawn in both languages
 * and at every screen size, and compared with tests/ui/golden/<NAME>.png.
 *
 * To cover a new screen or state, add a row; then refresh the goldens
 * (scripts/ui-golden-update.sh) and review the new images.
 */
#ifndef WUFEI_GOLDEN_VIEWS_H
#define WUFEI_GOLDEN_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "session.h"
#include "ui_text.h"

struct golden_view {
	const char *name;         /* file name part: lower case, digits, '-' */
	struct session_view view; /* .language is set for each language */
	bool has_health;          /* the staff menu's health lines */
	struct ui_health health;
};

struct golden_size {
	const char *name; /* "portrait", ... */
	int width, height;
};

extern const struct golden_view golden_views[];
extern const size_t golden_nviews;
extern const struct golden_size golden_sizes[];
extern const size_t golden_nsizes;
extern const struct wf_category golden_cats[];
extern const unsigned golden_ncats;

#endif
