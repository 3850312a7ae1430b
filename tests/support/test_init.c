/*
 * test_init.c — linked into every test and benchmark program: what each
 * main must do once before anything else (docs/ARCHITECTURE.md, "One
 * clock, one initialisation"), done before main, since a test's main is
 * cmocka's runner: libsodium and libcurl are initialised here.
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <sodium.h>

__attribute__((constructor)) static void wufei_test_init(void)
{
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("test: libsodium or libcurl failed to start\n", stderr);
		abort();
	}
}
