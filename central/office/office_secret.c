/* office_secret.c — a secret from a terminal (echo off) or one line of a pipe; see office_secret.h.
 */
#include "office_secret.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "wf.h"

/* One line from fd, a byte at a time (nothing after the newline is taken):
 * its length, or WF_EINVAL / WF_EIO with why. */
static int read_line(int fd, char *out, size_t cap, char *why, size_t why_len)
{
	size_t n = 0;
	bool too_long = false;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, why_len, "cannot read the secret: %s", strerror(errno));
			return WF_EIO;
		}
		if (r == 0 && n == 0 && !too_long) {
			snprintf(why, why_len, "no secret: the input ended before a line");
			return WF_EINVAL;
		}
		if (r == 0 || c == '\n')
			break;
		if (n + 1 < cap)
			out[n++] = c;
		else
			too_long =
			    true; /* read on to the newline, so nothing is left for a shell */
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	if (too_long) {
		snprintf(why, why_len, "the secret is longer than %zu bytes", cap - 1);
		return WF_EINVAL;
	}
	return (int)n;
}

/*
 * The terminal to put back when a signal (Ctrl-C, a hang-up, kill) ends the
 * program while its echo is off: without this the shell would be left with
 * echo off. File-scope because a signal handler can reach nothing else; set
 * only while one secret is read (a command line tool reads one at a time).
 */
static volatile sig_atomic_t g_tty_fd = -1;
static struct termios g_tty_old;
static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NSIGNALS (sizeof g_signals / sizeof g_signals[0])

static void restore_and_die(int sig)
{
	if (g_tty_fd >= 0)
		tcsetattr(g_tty_fd, TCSANOW, &g_tty_old);
	raise(sig); /* SA_RESETHAND: the default action, once this handler returns */
}

/* Puts the handlers in (old kept in saved) or, with saved only, back. */
static void guard_signals(int fd, const struct termios *old, struct sigaction saved[NSIGNALS],
                          bool on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = restore_and_die;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (on) {
		g_tty_old = *old;
		g_tty_fd = fd;
	}
	for (size_t i = 0; i < NSIGNALS; i++) {
		if (on)
			sigaction(g_signals[i], &sa, &saved[i]);
		else
			sigaction(g_signals[i], &saved[i], NULL);
	}
	if (!on)
		g_tty_fd = -1;
}

/* A line typed with the terminal's echo off (the newline still echoed). */
static int read_hidden(int in_fd, int prompt_fd, const char *prompt, char *out, size_t cap,
                       char *why, size_t why_len)
{
	struct termios old, quiet;
	struct sigaction saved[NSIGNALS];
	if (tcgetattr(in_fd, &old) != 0) {
		snprintf(why, why_len, "cannot read the terminal's settings: %s", strerror(errno));
		return WF_EIO;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL | ICANON;
	/* echo off before the prompt: whatever is typed after it is not shown */
	guard_signals(in_fd, &old, saved, true);
	int rc = WF_OK;
	if (tcsetattr(in_fd, TCSAFLUSH, &quiet) != 0 ||
	    write(prompt_fd, prompt, strlen(prompt)) < 0) {
		snprintf(why, why_len, "cannot turn the terminal's echo off: %s", strerror(errno));
		rc = WF_EIO;
	}
	if (!rc)
		rc = read_line(in_fd, out, cap, why, why_len);
	tcsetattr(in_fd, TCSAFLUSH, &old);
	guard_signals(in_fd, NULL, saved, false);
	return rc;
}

int office_secret_read(int in_fd, int prompt_fd, const char *prompt, bool confirm, char *out,
                       size_t cap, char *why, size_t why_len)
{
	char again[256], prompt2[160];
	int rc;
	if (!isatty(in_fd)) {
		rc = read_line(in_fd, out, cap, why, why_len);
		if (rc < 0)
			sodium_memzero(out, cap);
		return rc;
	}
	rc = read_hidden(in_fd, prompt_fd, prompt, out, cap, why, why_len);
	if (rc >= 0 && confirm) {
		snprintf(prompt2, sizeof prompt2, "again: %s", prompt);
		int rc2 = read_hidden(in_fd, prompt_fd, prompt2, again, sizeof again, why, why_len);
		if (rc2 < 0)
			rc = rc2;
		else if (rc2 != rc || sodium_memcmp(again, out, (size_t)rc) != 0) {
			snprintf(why, why_len, "the two entries differ");
			rc = WF_EINVAL;
		}
		sodium_memzero(again, sizeof again);
	}
	if (rc < 0)
		sodium_memzero(out, cap);
	return rc;
}
