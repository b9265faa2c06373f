#define _GNU_SOURCE
#include "scratch.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "tree.h"

static const char *const scratch_dirs[] = {"/tmp", "/dev/shm", "/dev/mqueue", NULL};

/* SysV IPC objects outlive their creators; only their owner (or CAP_SYS_ADMIN) may remove them. */
static void remove_ipc_as_candidate(uid_t candidate_uid) {
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    if (setgroups(0, NULL) < 0 || setgid(CANDIDATE_GID) < 0 || setuid(candidate_uid) < 0) _exit(1);
    static const char *const tables[] = {"/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"};
    for (int t = 0; t < 3; t++) {
      FILE *f = fopen(tables[t], "re");
      if (!f) continue;
      char line[512];
      int first = 1;
      while (fgets(line, sizeof line, f)) {
        if (first) { first = 0; continue; }
        long key, id;
        if (sscanf(line, "%ld %ld", &key, &id) != 2) continue;
        if (t == 0) shmctl((int)id, IPC_RMID, NULL);
        else if (t == 1) msgctl((int)id, IPC_RMID, NULL);
        else semctl((int)id, 0, IPC_RMID);
      }
      fclose(f);
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  /* IPC objects that could not be removed would reach the next run or candidate. */
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("cannot remove the candidate's IPC objects (status %d)", status);
}

/* All candidate processes are dead when this runs, so nothing races the walk. */
void wipe_scratch(uid_t candidate_uid) {
  for (const char *const *dir = scratch_dirs; *dir; dir++) {
    struct stat st;
    if (lstat(*dir, &st) < 0 || !S_ISDIR(st.st_mode)) continue;
    if (walk_tree(*dir, 1, 0) < 0) die("cannot wipe %s: %s", *dir, strerror(errno));
  }
  remove_ipc_as_candidate(candidate_uid);
}
