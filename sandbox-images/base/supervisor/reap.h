/*
 * The supervisor's children: noticing that they exit, collecting their accounting, and killing
 * every process in the container. The supervisor is PID 1 of its pid namespace (or a subreaper),
 * so every orphan a candidate leaves is reparented to it and reaped here.
 */
#ifndef VERDICT_REAP_H
#define VERDICT_REAP_H

#include <sys/types.h>

typedef struct {
  pid_t main_pid;
  int main_done;
  int main_status;
  long long main_end_us;
  /* A paired run's other process (run.h): the candidate, whose exit is reported only when it came first. */
  pid_t peer_pid;
  int peer_done;
  int peer_status;
  long long cpu_us; /* user and system time of every process reaped */
  long long rss_kb; /* the largest single process's high-water mark */
} reap_state;

/* Installs the SIGCHLD handler; from then on child_exit_fd() is readable whenever a child exited. */
void watch_children(void);
int child_exit_fd(void);
/* Empties child_exit_fd() before the children are reaped, so the next poll waits for a new exit. */
void drain_child_exits(void);

/* Reaps whatever has exited; returns 1 once no child is left at all. */
int reap_ready(reap_state *st);
/* Kills every process of the container but the supervisor and reaps them all. */
void kill_everything(reap_state *st);

/* The monotonic clock the run's wall time is measured on, in microseconds. */
long long now_us(void);

#endif
