/* The forked child's way from the supervisor's copy to the candidate's program. */
#ifndef VERDICT_CHILD_H
#define VERDICT_CHILD_H

#include <sys/types.h>

#include "protocol.h"

/* What the child writes to its status pipe when it cannot become the candidate: {kind, errno}. */
enum { CHILD_SETUP_FAILED = 1, CHILD_EXEC_FAILED = 2 };

/* Who a forked child becomes, and the descriptors it is handed. */
typedef struct {
  char **argv, **envp;
  uid_t uid;
  gid_t gid;
  const char *dir; /* its working directory */
  int in_fd, out_fd, err_fd;
  /* A paired run's channel to the other process, as fds 3 (read) and 4 (write); -1 when unpaired. */
  int peer_in_fd, peer_out_fd;
  int status_fd;
} child_spec;

/*
 * In the child of fork(): takes the pipes as its stdio (and a paired run's channel as fds 3 and
 * 4), closes every other descriptor, lowers its limits to the request's, becomes `c->uid`,
 * confines itself (seccomp.h, landlock.h) and execs argv[0]. Only a failure returns to the
 * supervisor's code, as {kind, errno} on `status_fd` (close-on-exec: EOF on its other end means
 * the exec succeeded), then _exit(127).
 */
__attribute__((noreturn)) void become_child(const run_request *r, const child_spec *c);

#endif
