/* The kernel's own facts about this container, read from its cgroup: CPU time, OOM kills, memory held. */
#ifndef VERDICT_CGROUP_H
#define VERDICT_CGROUP_H

/* Finds which cgroup version the container sees; the counters below read -1 until it ran. */
void detect_cgroup(void);
/* "v1", "v2" or "none", as the HELLO reports it. */
const char *cgroup_name(void);

/* Container-wide CPU time in microseconds, or -1 when unreadable. */
long long cgroup_cpu_us(void);
/* How many times the kernel's OOM killer has fired in this container, or -1. */
long long oom_kill_count(void);

/*
 * The peak, over samples, of what the program held beyond what the container
 * held when it started. Counters that outlive a run (max_usage_in_bytes,
 * failcnt) are never read: this baseline is taken anew for every run, so one
 * candidate's memory is never charged to the next.
 */
typedef struct {
  long long baseline_bytes; /* -1: the cgroup cannot be read */
  long long peak_bytes;
} memory_watch;

memory_watch memory_watch_start(void);
void memory_watch_sample(memory_watch *w);

#endif
