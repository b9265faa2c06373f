/* One run of the candidate's program (or a paired run, the candidate beside a trusted test process): fork, feed stdin, capture output, enforce the limits, account. */
#ifndef VERDICT_RUN_H
#define VERDICT_RUN_H

#include <sys/types.h>

#include "protocol.h"

/*
 * Runs `r` as `uid` in BOX_DIR and returns once every process of the run is dead. The limits
 * are enforced on the container's counters (cgroup.h), polled: CPU every CPU_POLL_MS, memory
 * sampled every MEMORY_POLL_MS, wall time against the monotonic clock. The result's output
 * buffers are the caller's to free.
 *
 * A paired run (r->trusted_argc > 0) starts the trusted test process first, as TRUSTED_UID in /,
 * then the candidate, joined by two pipes (each side reads fd 3 and writes fd 4) and by
 * nothing else: neither is the other's child, and the candidate's uid can neither signal nor
 * trace the trusted one. The run ends when the trusted process does (or a limit ends both);
 * the limits count both processes, as one program.
 */
run_result run_program(const run_request *r, uid_t uid);

#endif
