/* signing.c — request signatures and key files; see signing.h. */
#include "signing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "hex.h"
#include "wf.h"

#define SECRET_TAG "wufei-ed25519-secret-1 "
#define PUBLIC_TAG "wufei-ed25519-public-1 "

static void signing_why(char *why, size_t why_len, const char *msg)
{
	if (why && why_len)
		snprintf(why, why_len, "%s", msg);
}

int signing_hash_body(const void *body, size_t len, char hex_out[SIGNING_HASH_HEX_LEN + 1])
{
	uint8_t h[WF_HASH_BYTES];
	static const uint8_t empty = 0;
	crypto_generichash(h, sizeof h, body ? body : &empty, len, NULL, 0);
	hex_encode(h, sizeof h, hex_out, SIGNING_HASH_HEX_LEN + 1);
	return WF_OK;
}

static int signing_check_method(const char *m)
{
	size_t n = strlen(m);
	if (n == 0 || n > SIGNING_METHOD_MAX)
		return WF_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (m[i] < 'A' || m[i] > 'Z')
			return WF_EINVAL;
	return WF_OK;
}

static int signing_check_path(const char *p)
{
	size_t n = strlen(p);
	if (n == 0 || n > SIGNING_PATH_MAX || p[0] != '/')
		return WF_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return WF_EINVAL;
	return WF_OK;
}

static int signing_check_hash_hex(const char *h)
{
	if (strlen(h) != SIGNING_HASH_HEX_LEN)
		return WF_EINVAL;
	for (size_t i = 0; i < SIGNING_HASH_HEX_LEN; i++) {
		char c = h[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return WF_EINVAL;
	}
	return WF_OK;
}

int signing_build_string(char *out, size_t out_len, const char *method, const char *path,
                         int64_t time_s, const char *body_hash_hex, uint32_t kiosk, uint32_t key_id)
{
	if (!out || !method || !path || !body_hash_hex)
		return WF_EINVAL;
	if (signing_check_method(method) || signing_check_path(path) ||
	    signing_check_hash_hex(body_hash_hex) || key_id < 1 || key_id > SIGNING_KEY_ID_MAX)
		return WF_EINVAL;
	int n = snprintf(out, out_len, "%s\n%s\n%s\n%" PRId64 "\n%s\n%" PRIu32 "\n%" PRIu32,
	                 SIGNING_DOMAIN, method, path, time_s, body_hash_hex, kiosk, key_id);
	if (n < 0 || (size_t)n >= out_len)
		return WF_EINVAL;
	return n;
}

int signing_sign_request(const uint8_t secret_key[SIGNING_SECRET_BYTES], const char *method,
                         const char *path, int64_t time_s, const void *body, size_t body_len,
                         uint32_t kiosk, uint32_t key_id, char sig_hex[SIGNING_SIG_HEX_LEN + 1])
{
	char hash[SIGNING_HASH_HEX_LEN + 1];
	char msg[SIGNING_STRING_MAX];
	uint8_t sig[crypto_sign_BYTES];
	int rc = signing_hash_body(body, body_len, hash);
	if (rc)
		return rc;
	int n = signing_build_string(msg, sizeof msg, method, path, time_s, hash, kiosk, key_id);
	if (n < 0)
		return n;
	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, secret_key);
	hex_encode(sig, sizeof sig, sig_hex, SIGNING_SIG_HEX_LEN + 1);
	return WF_OK;
}

int signing_verify_request(const uint8_t public_key[SIGNING_PUBLIC_BYTES], const char *method,
                           const char *path, int64_t time_s, const char *body_hash_hex,
                           uint32_t kiosk, uint32_t key_id, const char *sig_hex)
{
	char msg[SIGNING_STRING_MAX];
	uint8_t sig[crypto_sign_BYTES];
	if (!sig_hex || hex_decode(sig_hex, strlen(sig_hex), sig, sizeof sig))
		return WF_EINVAL;
	int n = signing_build_string(msg, sizeof msg, method, path, time_s, body_hash_hex, kiosk,
	                             key_id);
	if (n < 0)
		return n;
	if (crypto_sign_verify_detached(sig, (const uint8_t *)msg, (size_t)n, public_key) != 0)
		return WF_ECRYPTO;
	return WF_OK;
}

int signing_keypair_from_seed(const uint8_t seed[SIGNING_SEED_BYTES],
                              uint8_t public_key[SIGNING_PUBLIC_BYTES],
                              uint8_t secret_key[SIGNING_SECRET_BYTES])
{
	crypto_sign_seed_keypair(public_key, secret_key, seed);
	return WF_OK;
}

int signing_keypair_generate(uint8_t public_key[SIGNING_PUBLIC_BYTES],
                             uint8_t secret_key[SIGNING_SECRET_BYTES])
{
	uint8_t seed[SIGNING_SEED_BYTES];
	randombytes_buf(seed, sizeof seed);
	int rc = signing_keypair_from_seed(seed, public_key, secret_key);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

static int signing_write_line(const char *path, mode_t mode, const char *tag, const uint8_t *key)
{
	char line[128];
	char hex[65];
	int rc = WF_OK;
	hex_encode(key, 32, hex, sizeof hex);
	int n = snprintf(line, sizeof line, "%s%s\n", tag, hex);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = errno == EEXIST ? WF_EEXIST : WF_EIO;
		goto out;
	}
	/* umask may have removed bits; the mode must be exactly what we ask. */
	if (fchmod(fd, mode) != 0 || write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		rc = WF_EIO;
		close(fd);
		unlink(path);
		goto out;
	}
	if (close(fd) != 0)
		rc = WF_EIO;
out:
	sodium_memzero(line, sizeof line);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

int signing_keyfile_write_secret(const char *path, const uint8_t secret_key[SIGNING_SECRET_BYTES])
{
	/* libsodium's secret key starts with the 32-byte seed. */
	return signing_write_line(path, 0600, SECRET_TAG, secret_key);
}

int signing_keyfile_write_public(const char *path, const uint8_t public_key[SIGNING_PUBLIC_BYTES])
{
	return signing_write_line(path, 0644, PUBLIC_TAG, public_key);
}

static int signing_read_line(const char *path, const char *tag, int secret, uint8_t key[32],
                             char *why, size_t why_len)
{
	char buf[128];
	int rc = WF_EINVAL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		signing_why(why, why_len, errno == ENOENT ? "no such file" : "cannot open");
		return errno == ENOENT ? WF_ENOENT : WF_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		signing_why(why, why_len, "not a regular file");
		goto out;
	}
	if (secret && (st.st_mode & 077) != 0) {
		signing_why(why, why_len,
		            "secret key file is accessible by group or others (want 0600)");
		goto out;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		signing_why(why, why_len, "read failed");
		rc = WF_EIO;
		goto out;
	}
	buf[n] = '\0';
	size_t tl = strlen(tag);
	size_t len = (size_t)n;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len != tl + 64 || memcmp(buf, tag, tl) != 0 ||
	    hex_decode(buf + tl, 64, key, 32) != WF_OK) {
		signing_why(why, why_len,
		            secret ? "not a wufei secret key file" : "not a wufei public key file");
		goto out;
	}
	rc = WF_OK;
out:
	sodium_memzero(buf, sizeof buf);
	close(fd);
	return rc;
}

int signing_keyfile_read_secret(const char *path, uint8_t secret_key[SIGNING_SECRET_BYTES],
                                char *why, size_t why_len)
{
	uint8_t seed[SIGNING_SEED_BYTES];
	uint8_t pk[SIGNING_PUBLIC_BYTES];
	int rc = signing_read_line(path, SECRET_TAG, 1, seed, why, why_len);
	if (rc == WF_OK)
		rc = signing_keypair_from_seed(seed, pk, secret_key);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

int signing_keyfile_read_public(const char *path, uint8_t public_key[SIGNING_PUBLIC_BYTES],
                                char *why, size_t why_len)
{
	return signing_read_line(path, PUBLIC_TAG, 0, public_key, why, why_len);
}
