/*
 * log_journal.h — the log's edge to the systemd journal (log_journal.c),
 * the only file of the log that uses libsystemd. Private to common/log.
 */
#ifndef WUFEI_LOG_JOURNAL_H
#define WUFEI_LOG_JOURNAL_H

#include <stdint.h>
#include <stdio.h>

/* Whether out is the journal's stream: $JOURNAL_STREAM is "DEV:INODE" of
 * out's descriptor (systemd.exec(5)); 1 yes, 0 no. */
int log_journal_stream(FILE *out);

/*
 * One entry: MESSAGE=msg, PRIORITY= of level (enum wf_log_level),
 * SYSLOG_IDENTIFIER=ident, WUFEI_KIOSK= (kiosk > 0), WUFEI_SEQ= (seq > 0),
 * WUFEI_DEVICE= (device non-NULL and non-empty). msg and device are already
 * escaped. Returns 0, or negative when the journal refused it or its
 * socket is not there (libsystemd itself says nothing then).
 */
int log_journal_send(int level, const char *ident, const char *msg, int64_t kiosk, uint64_t seq,
                     const char *device);

#endif
