/* Walking a directory tree the candidate wrote, however deep or wide: to remove it or to seal it. */
#ifndef VERDICT_TREE_H
#define VERDICT_TREE_H

#include <stddef.h>
#include <sys/types.h>

/* Names one after another, each NUL-terminated: one allocation however many there are. */
typedef struct {
  char *names;
  size_t len, cap;
} name_list;

void name_list_add(name_list *l, const char *name);

/*
 * remove: unlinks everything below `root` (the root itself stays);
 * otherwise: chowns `root` and everything below it to `uid` and, for uid 0, seals the modes
 * (readable and runnable by the candidate, writable by nobody but root).
 * Returns -1 with errno set on the first failure. Only while no candidate process is alive.
 */
int walk_tree(const char *root, int remove, uid_t uid);

#endif
