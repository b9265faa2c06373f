#define _GNU_SOURCE
#include "tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/*
 * Visits every entry below `root` depth first, by name relative to an open
 * directory: no full path is ever built and only one directory fd is held, so
 * neither a tree deeper than PATH_MAX nor one deeper than our fd limit stops
 * it. Going back up uses "..", which is safe because no candidate process is
 * alive to move directories around while this runs.
 * Each directory is listed exactly once: its other entries are handled as they
 * are read, its subdirectories' names are kept and visited after the listing
 * is closed. So the work is linear in the entries (restarting a listing after
 * every subdirectory removed made a /tmp of 100 000 directories take 10 s to
 * wipe, as each restart refills a whole getdents buffer), and the memory is the
 * names of the directories not yet visited (bounded by the mount's inodes).
 */
typedef struct {
  /* This directory's name in its parent: points into the parent's `pending`. */
  const char *name;
  /* The subdirectories' names; `next` is the offset of the first not yet visited. */
  name_list pending;
  size_t next;
} walk_frame;

void name_list_add(name_list *l, const char *name) {
  size_t n = strlen(name) + 1;
  if (l->len + n > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4096;
    while (cap < l->len + n) cap *= 2;
    l->names = xrealloc(l->names, cap);
    l->cap = cap;
  }
  memcpy(l->names + l->len, name, n);
  l->len += n;
}

static mode_t sealed_mode(mode_t mode, int is_dir) {
  /* Readable and runnable by the candidate, writable by nobody but root. */
  mode_t m = (mode & 0755 & ~(mode_t)06000) | 0444;
  return is_dir ? m | 0111 : m;
}

static int fix_entry(int dirfd, const char *name, const struct stat *st, uid_t uid) {
  if (fchownat(dirfd, name, uid, uid, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  if (uid == 0 && !S_ISLNK(st->st_mode) && fchmodat(dirfd, name, sealed_mode(st->st_mode & 07777, S_ISDIR(st->st_mode)), 0) < 0)
    return -1;
  return 0;
}

/* One pass over the directory open at `fd`: everything but subdirectories is done here. */
static int list_dir(int fd, walk_frame *f, int remove, uid_t uid) {
  int dup_fd = dup(fd);
  DIR *dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (!dir) {
    if (dup_fd >= 0) close(dup_fd);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    /* Removing needs only the type, which tmpfs reports in the listing; sealing needs the mode. */
    int is_dir = e->d_type == DT_DIR;
    if (!remove || e->d_type == DT_UNKNOWN) {
      if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) { rc = -1; break; }
      is_dir = S_ISDIR(st.st_mode);
    }
    if (!remove && fix_entry(fd, e->d_name, &st, uid) < 0) rc = -1;
    else if (is_dir) name_list_add(&f->pending, e->d_name);
    else if (remove && unlinkat(fd, e->d_name, 0) < 0) rc = -1;
  }
  closedir(dir);
  return rc;
}

int walk_tree(const char *root, int remove, uid_t uid) {
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  if (!remove) {
    struct stat st;
    if (fstat(fd, &st) < 0 || fchown(fd, uid, uid) < 0 ||
        (uid == 0 && fchmod(fd, sealed_mode(st.st_mode & 07777, 1)) < 0)) {
      close(fd);
      return -1;
    }
  }
  size_t depth = 1, cap = 64;
  walk_frame *stack = xcalloc(cap, sizeof *stack);
  int rc = list_dir(fd, &stack[0], remove, uid);
  while (rc == 0) {
    walk_frame *top = &stack[depth - 1];
    if (top->next < top->pending.len) {
      const char *name = top->pending.names + top->next;
      top->next += strlen(name) + 1;
      int child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) { rc = -1; break; }
      if (depth == cap) {
        stack = xrealloc(stack, 2 * cap * sizeof *stack);
        cap *= 2;
        top = &stack[depth - 1];
      }
      stack[depth++] = (walk_frame){.name = name};
      close(fd);
      fd = child;
      rc = list_dir(fd, &stack[depth - 1], remove, uid);
      continue;
    }
    if (depth == 1) break;
    int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = parent;
    if (fd < 0 || (remove && unlinkat(fd, top->name, AT_REMOVEDIR) < 0)) rc = -1;
    free(top->pending.names);
    depth--;
  }
  for (size_t i = 0; i < depth; i++) free(stack[i].pending.names);
  free(stack);
  if (fd >= 0) close(fd);
  return rc;
}
