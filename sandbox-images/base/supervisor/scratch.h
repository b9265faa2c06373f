/* What a candidate may write outside the box, and what the supervisor wipes after every run. */
#ifndef VERDICT_SCRATCH_H
#define VERDICT_SCRATCH_H

#include <sys/types.h>

/*
 * Empties the scratch tmpfs mounts (/tmp, /dev/shm, /dev/mqueue) and removes the SysV IPC
 * objects of `candidate_uid`, which outlive their creators. Only while no candidate process is
 * alive; dies when anything is left, as it would reach the next run or candidate.
 */
void wipe_scratch(uid_t candidate_uid);

#endif
