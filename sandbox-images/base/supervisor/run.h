/* One run of the candidate's program: fork, feed stdin, capture output, enforce the limits, account. */
#ifndef VERDICT_RUN_H
#define VERDICT_RUN_H

#include <sys/types.h>

#include "protocol.h"

/*
 * Runs `r` as `uid` in BOX_DIR and returns once every process of the run is dead. The limits
 * are enforced on the container's counters (cgroup.h), polled: CPU every CPU_POLL_MS, memory
 * sampled every MEMORY_POLL_MS, wall time against the monotonic clock. The result's output
 * buffers are the caller's to free.
 */
run_result run_program(const run_request *r, uid_t uid);

#endif
