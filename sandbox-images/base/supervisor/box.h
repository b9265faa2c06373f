/*
 * The program's directory, BOX_DIR: written by FILE requests, handed to the candidate for a
 * compile, sealed for the tests, cleared of what a test created, emptied by a RESET.
 */
#ifndef VERDICT_BOX_H
#define VERDICT_BOX_H

#include <stddef.h>
#include <sys/types.h>

typedef enum { BOX_FILE_WRITTEN, BOX_FILE_UNSAFE_PATH, BOX_FILE_CANNOT_CREATE, BOX_FILE_CANNOT_WRITE } box_file_status;

/* Creates `path` (relative, no "." or ".." segment, never an existing file) with `content`;
 * on a CANNOT_ status errno says why. */
box_file_status write_box_file(const char *path, size_t path_len, const char *content, size_t content_len, unsigned mode);

/* Everything in the box owned by `uid`: a compile writes its artifacts there. */
int own_box(uid_t uid);

/*
 * For the tests: root owns every given file, directory and compiled artifact, writable by
 * nobody else, and the box itself is sticky and writable by all. So a program may create files
 * in its working directory, as programs and their harnesses expect, but may not write, rename,
 * replace or remove what it was given (the sticky bit: only an entry's owner removes or renames
 * it), nor add to a given subdirectory. Everything it creates is owned by its uid, which is
 * what wipe_created removes after each test.
 */
int seal_box(void);

/* After a test, with no candidate process alive: removes what the test created in the sealed box. */
int wipe_created(void);

/* Notes the box's mode as the container started with it, for empty_box to put back. */
void remember_box_mode(void);
/* Empty, root-owned and with its first mode: the next FILE writes land as in a fresh container. */
int empty_box(void);

/* Bytes the box holds: it stays for every test, so the service accounts for it. */
long long box_bytes(void);

#endif
