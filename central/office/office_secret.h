/*
 * office_secret.h — the one way a command reads a secret (an office user's
 * password, a staff PIN): never from the command line, where every user of
 * the machine can read it (ps, /proc) and the shell keeps it in its history.
 *
 * From a terminal: a prompt, the terminal's echo off while the line is typed
 * (termios), and with confirm the same question again (the two must match).
 * A signal that ends the program meanwhile (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT) first turns the echo back on; the caller's own handlers for them
 * are put back afterwards.
 * From anything else (a pipe, a file): exactly one line, no prompt; the
 * bytes after it are not read.
 *
 * For: `wufei-central user add|passwd`, `staff add`. Blocks until a line
 * (or end of input) comes. Library wufei_office.
 */
#ifndef WUFEI_CENTRAL_OFFICE_SECRET_H
#define WUFEI_CENTRAL_OFFICE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * office_secret_read — one secret from in_fd into out[cap] (NUL-terminated,
 * without its newline or a CR before it). A terminal is asked prompt on
 * prompt_fd (confirm: asked again with "again: " before it). Returns the
 * length (>= 0), or WF_EINVAL (why[why_len] says: the end of input before
 * a line, longer than cap - 1, the two entries differ), WF_EIO (a read or
 * terminal error). out is zeroed on failure; the caller wipes it after use
 * (sodium_memzero).
 */
int office_secret_read(int in_fd, int prompt_fd, const char *prompt, bool confirm, char *out,
                       size_t cap, char *why, size_t why_len);

#endif
