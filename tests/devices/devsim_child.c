/* devsim_child.c — see devsim_child.h. */
#include "devsim_child.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	while (n + 1 < len) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n') {
			buf[n] = '\0';
			return 0;
		}
		buf[n++] = c;
	}
	return -1;
}

int devsim_start(struct devsim *ds, const char *const *args)
{
	const char *bin = getenv("WUFEI_BIN_DIR");
	char exe[512];
	int in_p[2], out_p[2];
	memset(ds, 0, sizeof(*ds));
	ds->in_fd = ds->ctl_fd = -1;
	snprintf(exe, sizeof(exe), "%s/wufei-devsim", bin ? bin : "build/bin");
	snprintf(ds->dir, sizeof(ds->dir), "/tmp/wufei-devsim-test.XXXXXX");
	if (!mkdtemp(ds->dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(ds->ctl_path, sizeof(ds->ctl_path), "%s/ctl", ds->dir);
	const char *argv[40] = {exe, "--dir", ds->dir, "--control", ds->ctl_path};
	int argc = 5;
	for (int i = 0; args && args[i] && argc < 38; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (pipe(in_p) || pipe(out_p)) {
		perror("pipe");
		return -1;
	}
	pid_t parent = getpid();
	ds->pid = fork();
	if (ds->pid < 0) {
		perror("fork");
		return -1;
	}
	if (ds->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		dup2(in_p[0], 0);
		dup2(out_p[1], 1);
		close(in_p[0]), close(in_p[1]), close(out_p[0]), close(out_p[1]);
		/* devsim itself must not inherit a preloaded shim or sanitizer runtime
		 * meant for the test */
		unsetenv("LD_PRELOAD");
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(in_p[0]);
	close(out_p[1]);
	ds->in_fd = in_p[1];
	int rc = read_line(out_p[0], ds->json, sizeof(ds->json));
	close(out_p[0]);
	if (rc) {
		fprintf(stderr, "devsim_start: no JSON line from %s\n", exe);
		return -1;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", ds->ctl_path);
	ds->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ds->ctl_fd < 0 || connect(ds->ctl_fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("devsim_start: connect control socket");
		return -1;
	}
	return 0;
}

int devsim_cmd(struct devsim *ds, const char *cmd, char *ans, size_t ans_len)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	if (n < 0 || (size_t)n >= sizeof(line) || write(ds->ctl_fd, line, (size_t)n) != n)
		return -1;
	if (read_line(ds->ctl_fd, ans, ans_len))
		return -1;
	return strncmp(ans, "ok", 2) == 0 ? 0 : 1;
}

void devsim_path(const struct devsim *ds, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", ds->dir, name);
}

void devsim_transport(const struct devsim *ds, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "serial:%s/%s", ds->dir, name);
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int devsim_stop(struct devsim *ds)
{
	char ans[64];
	int status = -1;
	if (ds->ctl_fd >= 0) {
		devsim_cmd(ds, "quit", ans, sizeof(ans));
		close(ds->ctl_fd);
	}
	if (ds->in_fd >= 0)
		close(ds->in_fd);
	if (ds->pid > 0 && waitpid(ds->pid, &status, 0) != ds->pid)
		status = -1;
	if (ds->dir[0] && !getenv("WUFEI_KEEP_DEVSIM_DIR"))
		rm_dir(ds->dir);
	ds->ctl_fd = ds->in_fd = -1;
	ds->pid = 0;
	if (status != 0)
		fprintf(stderr, "devsim_stop: wufei-devsim exit status 0x%x\n", (unsigned)status);
	return status == 0 ? 0 : -1;
}
