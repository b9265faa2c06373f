/* The candidate's sockets: only AF_UNIX. */
#ifndef VERDICT_SECCOMP_H
#define VERDICT_SECCOMP_H

/*
 * Installed in the candidate's process just before exec, inherited by all it
 * starts. Loopback TCP and UDP buffers are kernel memory that cgroup v1 never
 * charges to the container (320 MiB held under a 64 MiB limit went unseen),
 * and their sockets (TIME_WAIT, listeners) outlive the processes into the next
 * candidate's run; netlink buffers are not charged either. AF_UNIX buffers are
 * charged, and its sockets die with their processes, so socket() and
 * socketpair() fail with EACCES for every family but AF_UNIX. io_uring can
 * create sockets without socket(): it does not exist (ENOSYS). A system call
 * through another ABI (i386's int 0x80 and its socketcall, x32's numbers) would
 * bypass the numbers checked here: it kills the process.
 * Sets no_new_privs, which Landlock (landlock.h) needs too. -1 with errno on failure.
 */
int install_socket_filter(void);

#endif
