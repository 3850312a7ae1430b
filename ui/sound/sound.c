/*
 * sound.c — tones on the audio device through SDL_QueueAudio; see sound.h.
 * Every tone is rendered once at open, at the device's rate, so playing one
 * is a copy into SDL's queue.
 */
#include "sound.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "wf.h"

struct sound {
	SDL_AudioDeviceID dev;
	unsigned rate_hz;
	int16_t *pcm[TONE_KIND_COUNT]; /* each tone's samples at rate_hz */
	size_t n[TONE_KIND_COUNT];
};

static int render_all(struct sound *s, unsigned volume)
{
	for (int k = 0; k < TONE_KIND_COUNT; k++) {
		const struct tone_spec *t = tone_for((enum tone_kind)k);
		size_t n = tone_samples(t, s->rate_hz);
		s->pcm[k] = calloc(n ? n : 1, sizeof *s->pcm[k]);
		if (!s->pcm[k])
			return WF_ENOMEM;
		s->n[k] = tone_render(t, s->rate_hz, volume, s->pcm[k], n);
	}
	return WF_OK;
}

int sound_open(unsigned volume, struct sound **out, char *err, size_t err_len)
{
	*out = NULL;
	if (volume == 0) {
		snprintf(err, err_len, "volume 0: silent");
		return WF_EINVAL;
	}
	if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
		snprintf(err, err_len, "no audio: %s", SDL_GetError());
		return WF_EIO;
	}
	struct sound *s = calloc(1, sizeof *s);
	if (!s) {
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	SDL_AudioSpec want, have;
	SDL_zero(want);
	want.freq = 48000;
	want.format = AUDIO_S16SYS;
	want.channels = 1;
	want.samples = 1024;
	s->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, SDL_AUDIO_ALLOW_FREQUENCY_CHANGE);
	if (s->dev == 0) {
		snprintf(err, err_len, "no audio device: %s", SDL_GetError());
		sound_close(s);
		return WF_EIO;
	}
	s->rate_hz = have.freq < 8000 || have.freq > TONE_RATE_MAX ? 48000 : (unsigned)have.freq;
	if (render_all(s, volume > 100 ? 100 : volume) != WF_OK) {
		snprintf(err, err_len, "out of memory");
		sound_close(s);
		return WF_ENOMEM;
	}
	SDL_PauseAudioDevice(s->dev, 0);
	*out = s;
	return WF_OK;
}

void sound_play(struct sound *s, enum tone_kind kind)
{
	if (!s || kind < 0 || kind >= TONE_KIND_COUNT)
		return;
	SDL_ClearQueuedAudio(s->dev); /* a new tone replaces one still playing */
	SDL_QueueAudio(s->dev, s->pcm[kind], (Uint32)(s->n[kind] * sizeof *s->pcm[kind]));
}

unsigned sound_rate(const struct sound *s)
{
	return s->rate_hz;
}

const char *sound_driver(const struct sound *s)
{
	(void)s;
	const char *d = SDL_GetCurrentAudioDriver();
	return d ? d : "?";
}

void sound_close(struct sound *s)
{
	if (!s)
		return;
	if (s->dev)
		SDL_CloseAudioDevice(s->dev);
	for (int k = 0; k < TONE_KIND_COUNT; k++)
		free(s->pcm[k]);
	free(s);
	SDL_QuitSubSystem(SDL_INIT_AUDIO);
}
