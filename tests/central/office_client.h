/*
 * office_client.h — the office tests' HTTP client (libcurl): one request to
 * a real wufei-central on loopback with the office session cookie and extra
 * headers, the answer's status, body and the headers the office pages set.
 * It asserts with cmocka, so it belongs in cmocka tests only.
 */
#ifndef WUFEI_TESTS_CENTRAL_OFFICE_CLIENT_H
#define WUFEI_TESTS_CENTRAL_OFFICE_CLIENT_H

#include <stddef.h>

struct office_resp {
	long status;
	char body[16384]; /* cut to fit, NUL-terminated */
	size_t len;
	char set_cookie[300];
	char location[200];
	long retry_after; /* Retry-After, 0 when absent */
	char csp[300];    /* Content-Security-Policy */
};

/*
 * office_request — to 127.0.0.1:port (HTTPS checked against ca_file when
 * it is not NULL): GET when body is NULL, else POST of body (Content-Type
 * ctype; NULL: libcurl's form type). cookie: the office session id or NULL;
 * headers: extra header lines, NULL-terminated, or NULL. The transfer must
 * work (asserted); *r holds the answer.
 */
void office_request(int port, const char *ca_file, const char *path, const char *ctype,
                    const char *body, const char *cookie, const char *const *headers,
                    struct office_resp *r);

#endif
