#define _GNU_SOURCE
#include "sockets.h"

#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* How long a RESET waits for the kernel to collect unix sockets a dead candidate left in flight. */
#define UNIX_GC_WAIT_MS 500

/* Whether the namespace holds any unix socket: we hold none between requests. Unreadable counts as yes. */
static int unix_sockets_left(void) {
  FILE *f = fopen("/proc/net/unix", "re");
  if (!f) return 1;
  char line[512];
  int lines = 0;
  while (lines < 2 && fgets(line, sizeof line, f)) lines++;
  fclose(f);
  return lines > 1;
}

void collect_unix_sockets(void) {
  for (int waited_ms = 0; waited_ms < UNIX_GC_WAIT_MS && unix_sockets_left(); waited_ms++) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
      close(pair[0]);
      close(pair[1]);
    }
    usleep(1000);
  }
  if (unix_sockets_left()) die("unix sockets outlived the previous candidate");
}
