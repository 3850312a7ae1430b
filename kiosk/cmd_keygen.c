/*
 * cmd_keygen.c — `wufei-kiosk keygen --out FILE`: makes the kiosk's Ed25519
 * key pair. FILE gets the secret key (mode 0600), FILE.pub the public key
 * that `wufei-central kiosk add NUMBER --pubkey FILE.pub` enrols. Refuses to
 * overwrite either file.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "signing.h"
#include "wf.h"

int cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	char pub_path[4096];
	uint8_t pk[SIGNING_PUBLIC_BYTES];
	uint8_t sk[SIGNING_SECRET_BYTES];
	int rc = 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else {
			fprintf(stderr, "wufei-kiosk keygen: unexpected argument '%s'\n", argv[i]);
			goto usage;
		}
	}
	if (!out)
		goto usage;
	int n = snprintf(pub_path, sizeof pub_path, "%s.pub", out);
	if (n < 0 || (size_t)n >= sizeof pub_path) {
		fputs("wufei-kiosk keygen: path too long\n", stderr);
		return 2;
	}
	if (access(out, F_OK) == 0 || access(pub_path, F_OK) == 0) {
		fprintf(stderr, "wufei-kiosk keygen: %s or %s already exists; not overwriting\n",
		        out, pub_path);
		return 1;
	}
	if (signing_keypair_generate(pk, sk) != WF_OK) {
		fputs("wufei-kiosk keygen: libsodium failed to initialise\n", stderr);
		return 1;
	}
	int w = signing_keyfile_write_secret(out, sk);
	if (w != WF_OK) {
		fprintf(stderr, "wufei-kiosk keygen: cannot write %s: %s\n", out, wf_strerror(w));
		rc = 1;
		goto done;
	}
	w = signing_keyfile_write_public(pub_path, pk);
	if (w != WF_OK) {
		fprintf(stderr, "wufei-kiosk keygen: cannot write %s: %s\n", pub_path,
		        wf_strerror(w));
		unlink(out);
		rc = 1;
		goto done;
	}
	printf("secret key: %s (0600, keep it on this kiosk)\npublic key: %s (enrol it: "
	       "wufei-central kiosk add NUMBER --pubkey %s)\n",
	       out, pub_path, pub_path);
	rc = 0;
	goto done;
usage:
	fputs("usage: wufei-kiosk keygen --out FILE   (writes FILE, mode 0600, and FILE.pub)\n",
	      stderr);
done:
	sodium_memzero(sk, sizeof sk);
	return rc;
}
