/* The forked child's way from the supervisor's copy to the candidate's program. */
#ifndef VERDICT_CHILD_H
#define VERDICT_CHILD_H

#include <sys/types.h>

#include "protocol.h"

/* What the child writes to its status pipe when it cannot become the candidate: {kind, errno}. */
enum { CHILD_SETUP_FAILED = 1, CHILD_EXEC_FAILED = 2 };

/*
 * In the child of fork(): takes the pipes as its stdio, closes every other descriptor, lowers
 * its limits to the request's, becomes `uid`, confines itself (seccomp.h, landlock.h) and execs
 * argv[0]. Only a failure returns to the supervisor's code, as {kind, errno} on `status_fd`
 * (close-on-exec: EOF on its other end means the exec succeeded), then _exit(127).
 */
__attribute__((noreturn)) void become_candidate(const run_request *r, uid_t uid, int in_fd, int out_fd, int err_fd, int status_fd);

#endif
