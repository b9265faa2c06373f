/* The network namespace: what could cross from one candidate to the next through sockets. */
#ifndef VERDICT_SOCKETS_H
#define VERDICT_SOCKETS_H

/*
 * The candidate had only unix sockets (install_socket_filter), and those die
 * with their processes, except a cycle whose only references are in flight
 * (SCM_RIGHTS) in each other's queues: the kernel's collector frees it after
 * some unix socket closes, asynchronously. Until then a listening abstract
 * socket in the cycle takes connections, and its name, listed in
 * /proc/net/unix, carries whatever the previous candidate wrote into it.
 * Waits for the collector, up to UNIX_GC_WAIT_MS; dies when a socket is left.
 */
void collect_unix_sockets(void);

#endif
