/*
 * pty_shim.h — what a test can ask the pty shim (tests/support/pty_shim.c)
 * when the shim is linked into the test binary (not through LD_PRELOAD).
 */
#ifndef WUFEI_PTY_SHIM_H
#define WUFEI_PTY_SHIM_H

/*
 * pty_shim_cflag — the termios c_cflag last requested with tcsetattr() on the
 * pty slave fd (the kernel forces CS8 and no parity on ptys, so the pty's own
 * termios cannot show what libserialport asked for).
 * Returns 0 and fills *cflag, or -1 if nothing was set on fd.
 */
int pty_shim_cflag(int fd, unsigned *cflag);

#endif
