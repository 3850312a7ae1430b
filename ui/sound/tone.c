/* tone.c — the feedback tones' samples; see tone.h. */
#include "tone.h"

#include <assert.h>
#include <math.h>

/* A4 = 440 Hz; the pleasant tones climb by a fifth and a major triad, the
 * refusal sits low and repeats (what ticket machines and self-checkouts do). */
static const struct tone_spec tones[TONE_KIND_COUNT] = {
    [TONE_CARD_READ] = {.wave = TONE_SINE,
                        .fade_ms = 8,
                        .nnotes = 2,
                        .notes = {{880, 90}, {1319, 140}}},
    [TONE_RECORDED] = {.wave = TONE_SINE,
                       .fade_ms = 8,
                       .nnotes = 3,
                       .notes = {{1047, 90}, {1319, 90}, {1568, 200}}},
    [TONE_REFUSED] = {.wave = TONE_SQUARE,
                      .fade_ms = 10,
                      .nnotes = 3,
                      .notes = {{330, 160}, {0, 90}, {330, 160}}},
};

const struct tone_spec *tone_for(enum tone_kind kind)
{
	assert(kind >= 0 && kind < TONE_KIND_COUNT);
	return &tones[kind];
}

const char *tone_kind_name(enum tone_kind kind)
{
	switch (kind) {
	case TONE_CARD_READ: return "card-read";
	case TONE_RECORDED: return "recorded";
	case TONE_REFUSED: return "refused";
	case TONE_KIND_COUNT: break;
	}
	return "?";
}

static size_t note_samples(const struct tone_note *n, unsigned rate_hz)
{
	return (size_t)n->ms * rate_hz / 1000;
}

size_t tone_samples(const struct tone_spec *spec, unsigned rate_hz)
{
	size_t n = 0;
	for (unsigned i = 0; i < spec->nnotes && i < TONE_NOTES_MAX; i++)
		n += note_samples(&spec->notes[i], rate_hz);
	return n;
}

/* One period's shape at phase p (radians), within -1..1. */
static double wave_at(enum tone_wave w, double p)
{
	if (w == TONE_SINE)
		return sin(p);
	/* sin p + sin 3p / 3 + sin 5p / 5 peaks at 14/15 (p = pi/2) */
	return (sin(p) + sin(3 * p) / 3 + sin(5 * p) / 5) * (15.0 / 14.0);
}

/* The fade's gain at sample i of a note of n samples (fade of f samples). */
static double fade_at(size_t i, size_t n, size_t f)
{
	size_t edge = i < n - 1 - i ? i : n - 1 - i; /* samples from the nearer end */
	if (edge >= f)
		return 1.0;
	return 0.5 - 0.5 * cos(M_PI * (double)edge / (double)f);
}

size_t tone_render(const struct tone_spec *spec, unsigned rate_hz, unsigned volume, int16_t *buf,
                   size_t cap)
{
	assert(spec && buf);
	assert(rate_hz >= 8000 && rate_hz <= TONE_RATE_MAX);
	double peak = (double)TONE_PEAK * (volume > 100 ? 100 : volume) / 100.0;
	size_t at = 0;
	for (unsigned k = 0; k < spec->nnotes && k < TONE_NOTES_MAX && at < cap; k++) {
		const struct tone_note *note = &spec->notes[k];
		size_t n = note_samples(note, rate_hz);
		size_t f = (size_t)spec->fade_ms * rate_hz / 1000;
		if (f > n / 2)
			f = n / 2;
		double step = 2 * M_PI * note->freq_hz / rate_hz;
		for (size_t i = 0; i < n && at < cap; i++, at++) {
			double x = note->freq_hz ? wave_at(spec->wave, step * (double)i) : 0;
			buf[at] = (int16_t)lrint(peak * fade_at(i, n, f) * x);
		}
	}
	return at;
}
