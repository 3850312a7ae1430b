/* proto_test.h — shared helpers of the tests/proto tests: a seeded PRNG and
 * the seed itself (WUFEI_SEED=n reproduces a run; the seed is printed). */
#ifndef WUFEI_PROTO_TEST_H
#define WUFEI_PROTO_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static inline uint64_t proto_test_seed(const char *test)
{
	const char *e = getenv("WUFEI_SEED");
	uint64_t seed = 0;
	if (e && *e) {
		char *end = NULL;
		seed = strtoull(e, &end, 10);
		if (!end || *end)
			seed = 0;
	}
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	if (!seed)
		seed = 1;
	printf("# %s: seed %llu (WUFEI_SEED=%llu reproduces)\n", test, (unsigned long long)seed,
	       (unsigned long long)seed);
	fflush(stdout);
	return seed;
}

#endif
