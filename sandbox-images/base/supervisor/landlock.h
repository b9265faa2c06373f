/* The cgroup counters: unreadable by the candidate. */
#ifndef VERDICT_LANDLOCK_H
#define VERDICT_LANDLOCK_H

/* ENOSYS or EOPNOTSUPP (gVisor, a kernel without it): the HELLO says so and the service never reuses the sandbox. */
int landlock_available(void);

/*
 * The container's cgroup files are mounted read-only, readable by the candidate, and many are
 * cumulative (memory.max_usage_in_bytes, memory.failcnt, memory.stat, cpuacct.usage, cpu.stat,
 * pids.events, blkio.*, memory.peak, memory.events): one candidate sets them, the next in a
 * reused sandbox reads them, and without CAP_SYS_ADMIN they can be neither reset nor hidden by a
 * mount. Landlock, in the candidate's process just before exec and inherited by all it starts,
 * lets files be read everywhere but under /sys/fs/cgroup, where only the limit files are.
 * Needs no_new_privs (install_socket_filter sets it). Only reading is handled (and REFER, granted with it, so links and renames between directories stay as they were): exec, writes and
 * path walks (stat, chdir) stay as they were, and listing /sys/fs/cgroup shows only names.
 * Without Landlock it does nothing and returns 0; else -1 with errno on failure.
 */
int hide_cgroup_counters(void);

#endif
