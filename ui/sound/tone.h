/*
 * tone.h — the kiosk's feedback tones as numbers: a tone is a few notes
 * (a frequency and a length each, or a silent gap), and tone_render writes
 * its samples into the caller's buffer. Pure: no SDL, no clock, no malloc.
 *
 * For: sound.h, which plays them on the audio device, and the tests, which
 * check them without one. Each note fades in and out (a raised cosine over
 * fade_ms) so no note starts or stops with a click; the peak is the volume
 * (0..100) as a linear share of TONE_PEAK, which leaves headroom below
 * 16-bit full scale, so no sample ever clips.
 *
 * Not for: deciding when to beep (the session's BEEP effects do) or what a
 * beep means (tone_for names one tone per meaning).
 */
#ifndef WUFEI_TONE_H
#define WUFEI_TONE_H

#include <stddef.h>
#include <stdint.h>

#define TONE_NOTES_MAX 4
#define TONE_PEAK      24000 /* the peak at volume 100, of 32767 */
#define TONE_RATE_MAX  192000

enum tone_wave {
	TONE_SINE = 0,   /* pure, soft: the pleasant tones */
	TONE_SQUARE = 1, /* a square's first three odd harmonics: firmer, for errors */
};

struct tone_note {
	unsigned freq_hz; /* 0 = a silent gap */
	unsigned ms;      /* length */
};

struct tone_spec {
	enum tone_wave wave;
	unsigned fade_ms; /* each note's fade in and out (at most half its length) */
	unsigned nnotes;
	struct tone_note notes[TONE_NOTES_MAX];
};

/* What a tone tells a resident. */
enum tone_kind {
	TONE_CARD_READ = 0, /* a card was read and accepted: a rising two-tone */
	TONE_RECORDED,      /* the drop is in the journal: a rising three-note chime */
	TONE_REFUSED,       /* refused (card, weight, PIN): a lower double beep */
	TONE_KIND_COUNT,
};

/* tone_for — the tone for a meaning (static; never NULL for a valid kind). */
const struct tone_spec *tone_for(enum tone_kind kind);

/* tone_kind_name — "card-read", "recorded", "refused" ("?" otherwise). */
const char *tone_kind_name(enum tone_kind kind);

/* tone_samples — how many samples spec lasts at rate_hz (mono). */
size_t tone_samples(const struct tone_spec *spec, unsigned rate_hz);

/*
 * tone_render — spec's samples at rate_hz (8000..TONE_RATE_MAX), mono,
 * signed 16-bit, into buf[cap], at volume 0..100 (more is 100; 0 writes
 * silence). Returns the samples written: tone_samples(), or fewer when cap
 * is smaller (the tone is then cut short, without its last fade).
 */
size_t tone_render(const struct tone_spec *spec, unsigned rate_hz, unsigned volume, int16_t *buf,
                   size_t cap);

#endif
