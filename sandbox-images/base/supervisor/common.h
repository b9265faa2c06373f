/*
 * What every part of the supervisor shares: where the program lives, the candidate's group,
 * how a fatal error ends the supervisor, and allocation that cannot return NULL.
 */
#ifndef VERDICT_COMMON_H
#define VERDICT_COMMON_H

#include <stddef.h>

/* The program's directory; the service writes into it with FILE requests. */
#define BOX_DIR "/box"
/* The image's sandbox group (sandbox-images/base/Dockerfile); the uid is the service's choice. */
#define CANDIDATE_GID 10001
/*
 * The trusted test process of a paired run (run.h): a user and group of its own, outside the
 * candidates' range (the service picks those from 100000 up; RESET and --uid refuse this one), so
 * no candidate process can signal, trace or read it.
 */
#define TRUSTED_UID 9999
#define TRUSTED_GID 9999

/*
 * The supervisor's only way to report an internal failure: a line on its stderr (the service
 * reads it as the container's diagnostics) and exit status 70. The service then sees the control
 * channel end without a reply and discards the sandbox, so nothing half done is ever reused.
 */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);

/* Checked allocation: on failure they die, so a caller never holds NULL. */
void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t bytes);

#endif
