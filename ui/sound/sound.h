/*
 * sound.h — the kiosk's feedback tones played through SDL audio (tone.h
 * makes the samples).
 *
 * For: the runner, which opens the audio device only when the kiosk shows
 * its window (--window) and the volume is above 0: headless runs, scripted
 * runs and screenshots never open one. A kiosk without a working audio
 * device carries on silently: sound_open fails with a reason, the caller
 * logs it once and plays nothing (sound_play(NULL, ...) is a no-op).
 * Tests set SDL_AUDIODRIVER=dummy (or disk, to hear what was played as a
 * file of samples).
 *
 * Not for: music or long sounds: a tone is queued whole (a few hundred ms).
 */
#ifndef WUFEI_SOUND_H
#define WUFEI_SOUND_H

#include <stddef.h>

#include "tone.h"

struct sound;

/*
 * sound_open — opens the default audio device (mono, signed 16-bit) for
 * tones at volume 1..100. WF_OK and *out, or an error with the reason in
 * err (*out NULL): WF_EINVAL for volume 0 (silent: no device wanted),
 * WF_EIO when SDL has no audio device. Does not block beyond SDL's open.
 */
int sound_open(unsigned volume, struct sound **out, char *err, size_t err_len);

/* sound_play — starts the tone for kind, cutting short one still playing.
 * Never blocks (SDL plays it from its own thread). NULL is a no-op. */
void sound_play(struct sound *s, enum tone_kind kind);

/* sound_rate — the device's sample rate (Hz). */
unsigned sound_rate(const struct sound *s);

/* sound_driver — SDL's audio driver playing the tones ("pulseaudio",
 * "alsa", "dummy", ...); static text. */
const char *sound_driver(const struct sound *s);

/* sound_close — stops and closes the device; NULL is a no-op. */
void sound_close(struct sound *s);

#endif
