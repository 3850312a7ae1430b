/*
 * crash_point.h — the fixed crash points of the exactly-once tests, in the
 * test build only: library wufei_central_server_crashtest and the program
 * wufei-central-crashtest, both compiled with WUFEI_CRASH_HOOKS. wufei-central
 * itself has none of this (docs/SYNC-API.md "For tests of the sync client").
 */
#ifndef WUFEI_CENTRAL_CRASH_POINT_H
#define WUFEI_CENTRAL_CRASH_POINT_H

#include <stdbool.h>

struct server;

/*
 * server_crash_at — from now on srv SIGKILLs itself on every every-th batch
 * (0: never): just before the batch's COMMIT (nothing stored, no answer) or,
 * with after_commit, just after it (stored, no answer). Call it before the
 * server's address is known to any client (cmd_serve prints it after).
 */
void server_crash_at(struct server *srv, unsigned every, bool after_commit);

#endif
