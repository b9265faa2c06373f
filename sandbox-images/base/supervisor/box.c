#define _GNU_SOURCE
#include "box.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common.h"
#include "tree.h"

/* A compile hands the box itself to the candidate and sealing rewrites its mode:
 * RESET puts back what the container started with. */
static mode_t box_mode = 0755;

static int safe_relative_path(const char *p, size_t len) {
  if (len == 0 || len > 1024 || p[0] == '/' || strlen(p) != len) return 0;
  const char *seg = p;
  for (;;) {
    const char *slash = strchr(seg, '/');
    size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
    if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return 0;
    if (!slash) return 1;
    seg = slash + 1;
  }
}

static int make_parents(char *path) {
  for (char *p = path + strlen(BOX_DIR) + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc < 0 && errno != EEXIST) return -1;
  }
  return 0;
}

box_file_status write_box_file(const char *path, size_t path_len, const char *content, size_t content_len, unsigned mode) {
  if (!safe_relative_path(path, path_len)) return BOX_FILE_UNSAFE_PATH;
  char full[PATH_MAX];
  snprintf(full, sizeof full, "%s/%s", BOX_DIR, path);
  int fd = -1;
  if (make_parents(full) == 0) fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode | 0400);
  if (fd < 0) return BOX_FILE_CANNOT_CREATE;
  size_t off = 0;
  int ok = 1;
  while (off < content_len) {
    ssize_t n = write(fd, content + off, content_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { ok = 0; break; }
    off += (size_t)n;
  }
  close(fd);
  return ok ? BOX_FILE_WRITTEN : BOX_FILE_CANNOT_WRITE;
}

int own_box(uid_t uid) { return walk_tree(BOX_DIR, 0, uid); }

int seal_box(void) {
  if (own_box(0) < 0) return -1;
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fchmod(fd, 01777);
  close(fd);
  return rc;
}

/*
 * Removes every entry of the sealed box that root does not own, that is whatever the test
 * created (sealing made all else root's, and without CAP_CHOWN a candidate cannot give a file to
 * root; a hard link to a given file, which would be root's, is refused by the kernel's
 * protected_hardlinks). Only the top level can hold such entries: a sealed subdirectory is
 * root's and not writable by the candidate. One listing of the box; the candidate's
 * directories are emptied after it by walk_tree.
 */
int wipe_created(void) {
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int dup_fd = dup(fd);
  DIR *dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (!dir) {
    if (dup_fd >= 0) close(dup_fd);
    close(fd);
    return -1;
  }
  name_list created = {0};
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) rc = -1;
    else if (st.st_uid == 0) continue;
    else if (S_ISDIR(st.st_mode)) name_list_add(&created, e->d_name);
    else if (unlinkat(fd, e->d_name, 0) < 0) rc = -1;
  }
  closedir(dir);
  for (size_t at = 0; rc == 0 && at < created.len; at += strlen(created.names + at) + 1) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", BOX_DIR, created.names + at);
    if (walk_tree(path, 1, 0) < 0 || unlinkat(fd, created.names + at, AT_REMOVEDIR) < 0) rc = -1;
  }
  free(created.names);
  close(fd);
  return rc;
}

/* Without a box every FILE fails already; a RESET then dies on it. */
void remember_box_mode(void) {
  struct stat st;
  if (lstat(BOX_DIR, &st) == 0 && S_ISDIR(st.st_mode)) box_mode = st.st_mode & 07777;
}

int empty_box(void) {
  if (walk_tree(BOX_DIR, 1, 0) < 0) return -1;
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fchown(fd, 0, 0) < 0 || fchmod(fd, box_mode) < 0 ? -1 : 0;
  close(fd);
  return rc;
}

long long box_bytes(void) {
  struct statfs sf;
  if (statfs(BOX_DIR, &sf) < 0) return 0;
  return (long long)(sf.f_blocks - sf.f_bfree) * (long long)sf.f_bsize;
}
