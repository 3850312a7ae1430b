/*
 * pty_shim.c — makes a pseudo-terminal answer like a UART, so tests can run
 * the REAL libserialport path (Debian 0.1.1) over wufei-devsim's ptys.
 *
 * For: tests and benchmarks only. Never linked into a shipped program.
 *
 * Why it is needed: libserialport refuses ptys twice —
 *   1. sp_get_port_by_name() looks the device up as /sys/class/tty/<name>
 *      (lstat, then readlink); /dev/pts/N has no entry there;
 *   2. sp_open()/sp_set_config() read and set modem lines with TIOCMGET,
 *      TIOCMSET/TIOCMBIS/TIOCMBIC, which the pty driver rejects.
 * The shim answers exactly those calls for ptys and passes every other call
 * straight to the kernel. It only ever changes what a pty looks like, and,
 * like a UART, how fast it takes bytes: write() on a pty whose line was set
 * with tcsetattr() goes out at that line's baud rate (10 bits a byte), a
 * few bytes at a time, so a device's XOFF (wufei-devsim's slow printer)
 * stops the writer as it would on a real line instead of arriving after the
 * kernel's pty buffer swallowed a whole print job at once.
 *
 * Two ways to use it:
 *   - link the object into a test binary (CMake target wufei_pty_shim_obj,
 *     exports the symbols with ENABLE_EXPORTS), or
 *   - LD_PRELOAD=build/lib/libwufei_pty_shim.so for another program; under
 *     gcc's ASan the runtime must come first:
 *     LD_PRELOAD=$(cc -print-file-name=libasan.so):build/lib/libwufei_pty_shim.so
 */
#include "pty_shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* glibc >= 2.33 no longer declares these; libserialport 0.1.1 was built
 * against the old ABI and calls __lxstat. */
int __lxstat(int ver, const char *path, struct stat *buf);
int __lxstat64(int ver, const char *path, struct stat *buf);
int lstat(const char *path, struct stat *buf);
int ioctl(int fd, unsigned long request, ...);
ssize_t readlink(const char *path, char *buf, size_t len);
int tcsetattr(int fd, int act, const struct termios *tio);
ssize_t write(int fd, const void *buf, size_t len);

#define SYS_TTY_PTS "/sys/class/tty/pts/"
#define SHIM_FDS    4096

/* Modem line state per fd. Only the owning test touches a given fd. */
static int shim_modem_bits[SHIM_FDS];
static unsigned char shim_modem_set[SHIM_FDS];
/* The c_cflag a program asked for: Linux forces CS8 and no parity on a pty,
 * so tests read the requested line settings here instead. */
static unsigned shim_cflag[SHIM_FDS];
static unsigned char shim_cflag_set[SHIM_FDS];

static bool shim_is_sys_pts(const char *path)
{
	return path && strncmp(path, SYS_TTY_PTS, sizeof(SYS_TTY_PTS) - 1) == 0 &&
	       path[sizeof(SYS_TTY_PTS) - 1] != '\0';
}

static bool shim_is_pty_slave(int fd)
{
	struct stat st;
	if (fd < 0 || syscall(SYS_fstat, fd, &st) != 0 || !S_ISCHR(st.st_mode))
		return false;
	unsigned maj = major(st.st_rdev);
	return maj >= 136 && maj <= 143; /* UNIX98_PTY_SLAVE_MAJOR, 8 majors */
}

static int shim_lstat(const char *path, struct stat *buf)
{
	if (shim_is_sys_pts(path)) {
		memset(buf, 0, sizeof(*buf));
		buf->st_mode = S_IFLNK | 0777;
		return 0;
	}
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

int __lxstat(int ver, const char *path, struct stat *buf)
{
	(void)ver;
	return shim_lstat(path, buf);
}

int __lxstat64(int ver, const char *path, struct stat *buf)
{
	(void)ver;
	return shim_lstat(path, buf);
}

int lstat(const char *path, struct stat *buf)
{
	return shim_lstat(path, buf);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	if (shim_is_sys_pts(path)) {
		/* Looks like a virtual (not USB, not Bluetooth) tty: "native" port. */
		static const char target[] = "../../devices/virtual/tty/pts";
		size_t n = sizeof(target) - 1;
		if (n > len)
			n = len;
		memcpy(buf, target, n);
		return (ssize_t)n;
	}
	return (ssize_t)syscall(SYS_readlinkat, AT_FDCWD, path, buf, len);
}

static int *shim_bits(int fd)
{
	if (!shim_modem_set[fd]) {
		shim_modem_bits[fd] = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
		shim_modem_set[fd] = 1;
	}
	return &shim_modem_bits[fd];
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	bool modem = request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS ||
	             request == TIOCMBIC || request == TIOCSBRK || request == TIOCCBRK;
	if (modem && fd >= 0 && fd < SHIM_FDS && shim_is_pty_slave(fd)) {
		int *bits = shim_bits(fd);
		switch (request) {
		case TIOCMGET: *(int *)arg = *bits; break;
		case TIOCMSET: *bits = *(const int *)arg; break;
		case TIOCMBIS: *bits |= *(const int *)arg; break;
		case TIOCMBIC: *bits &= ~*(const int *)arg; break;
		default: break; /* break on/off: nothing to do on a pty */
		}
		return 0;
	}
	return (int)syscall(SYS_ioctl, fd, request, arg);
}

int tcsetattr(int fd, int act, const struct termios *tio)
{
	int (*real)(int, int, const struct termios *) =
	    (int (*)(int, int, const struct termios *))dlsym(RTLD_NEXT, "tcsetattr");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (tio && fd >= 0 && fd < SHIM_FDS && shim_is_pty_slave(fd)) {
		shim_cflag[fd] = (unsigned)tio->c_cflag;
		shim_cflag_set[fd] = 1;
	}
	return real(fd, act, tio);
}

int pty_shim_cflag(int fd, unsigned *cflag)
{
	if (fd < 0 || fd >= SHIM_FDS || !shim_cflag_set[fd])
		return -1;
	*cflag = shim_cflag[fd];
	return 0;
}

/* The baud rate of a c_cflag, or 0 for one we do not pace. */
static unsigned shim_baud(unsigned cflag)
{
	static const struct {
		unsigned code, baud;
	} rates[] = {{B1200, 1200},   {B2400, 2400},   {B4800, 4800},   {B9600, 9600},
	             {B19200, 19200}, {B38400, 38400}, {B57600, 57600}, {B115200, 115200}};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
		if ((cflag & CBAUD) == rates[i].code)
			return rates[i].baud;
	return 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	unsigned baud = 0;
	if (fd >= 0 && fd < SHIM_FDS && shim_cflag_set[fd] && shim_is_pty_slave(fd))
		baud = shim_baud(shim_cflag[fd]);
	if (!baud)
		return (ssize_t)syscall(SYS_write, fd, buf, len);
	/* as a UART: 10 ms of the line at a time, then the time it took */
	size_t chunk = baud / 1000 ? baud / 1000 : 1, done = 0;
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		ssize_t r = (ssize_t)syscall(SYS_write, fd, (const char *)buf + done, n);
		if (r <= 0)
			return done ? (ssize_t)done : r; /* EAGAIN: XOFF, or full */
		done += (size_t)r;
		struct timespec ts = {0, (long)((uint64_t)r * 10 * 1000000000ull / baud)};
		nanosleep(&ts, NULL);
		if ((size_t)r < n)
			break;
	}
	return (ssize_t)done;
}
