/*
 * beep.c — the runner's feedback tones through SDL audio (ui/sound): opened
 * only with the window, never headless, at [sound] volume; no audio device
 * is said once in the log and the kiosk carries on silent. Built when SDL2
 * is (beep_none.c otherwise).
 */
#include "runner_private.h"

#include "sound.h"
#include "wf.h"

void beep_open(struct runner *r)
{
	char err[300];
	if (r->cfg.volume == 0) {
		runner_logf(r, "sound: off ([sound] volume = 0)");
		return;
	}
	if (sound_open(r->cfg.volume, &r->sound, err, sizeof err) != WF_OK) {
		runner_logf(r, "sound: off, the kiosk carries on silent: %s", err);
		return;
	}
	runner_logf(r, "sound: volume %u through SDL's %s driver at %u Hz", r->cfg.volume,
	            sound_driver(r->sound), sound_rate(r->sound));
}

void beep_play(struct runner *r, enum beep_tone tone)
{
	static const enum tone_kind kinds[] = {
	    [BEEP_CARD_READ] = TONE_CARD_READ,
	    [BEEP_RECORDED] = TONE_RECORDED,
	    [BEEP_REFUSED] = TONE_REFUSED,
	};
	sound_play(r->sound, kinds[tone]);
}

void beep_close(struct runner *r)
{
	sound_close(r->sound);
	r->sound = NULL;
}
