/*
 * test_keygen.c — `wufei-kiosk keygen --out FILE`: FILE (secret, 0600) and
 * FILE.pub; refuses to overwrite; the public file enrols at central and the
 * secret signs requests central accepts.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"
#include "signing.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int keygen(const char *out)
{
	char bin[512];
	harness_bin("wufei-kiosk", bin, sizeof bin);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		execl(bin, bin, "keygen", "--out", out, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_keygen_files_and_enrolment(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-keygen-XXXXXX", key[600], pub[600], url[600], why[128];
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof key, "%s/kiosk.key", dir);
	snprintf(pub, sizeof pub, "%s/kiosk.key.pub", dir);
	snprintf(url, sizeof url, "sqlite:%s/c.db", dir);
	mode_t old = umask(0); /* the secret must be 0600 whatever the umask */
	assert_int_equal(keygen(key), 0);
	umask(old);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	/* never overwrites */
	uint8_t sk[64], sk2[64];
	assert_int_equal(signing_keyfile_read_secret(key, sk, why, sizeof why), 0);
	assert_int_equal(keygen(key), 1); /* refused, not a crash (128 + signal) */
	assert_int_equal(signing_keyfile_read_secret(key, sk2, why, sizeof why), 0);
	assert_memory_equal(sk, sk2, 64);

	assert_int_equal(
	    harness_cli(url, NULL, 0, (const char *[]){"kiosk", "add", "4", "--pubkey", pub, NULL}),
	    0);
	struct central_proc c;
	assert_int_equal(harness_start(&c, url, 0), 0);
	const char *hb = "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":4,\"last_seq\":0,"
	                 "\"outbox_depth\":0,\"software_version\":\"t\",\"devices\":[]}";
	struct http_answer a;
	assert_int_equal(harness_request(c.port, "POST", "/api/v1/kiosk/heartbeat", hb, strlen(hb),
	                                 sk, 4, 1, (int64_t)time(NULL), &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_keygen_files_and_enrolment)};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
