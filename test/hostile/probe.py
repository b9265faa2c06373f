"""Reports what a candidate can see and do inside the sandbox, as JSON."""
import errno
import json
import os
import socket


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    return None


def writable(path):
    probe = os.path.join(path, f".verdict-probe-{os.getpid()}")
    try:
        with open(probe, "w") as f:
            f.write("x")
        os.unlink(probe)
        return True
    except OSError:
        return False


def socket_errno(family, kind):
    try:
        socket.socket(family, kind).close()
        return 0
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)


def interfaces():
    # From /proc/net/dev: listing them through netlink needs a socket the candidate may not have.
    with open("/proc/net/dev") as f:
        return sorted(line.split(":", 1)[0].strip() for line in f.readlines()[2:])


mounts = []
with open("/proc/self/mountinfo") as f:
    for line in f:
        mounts.append(line.split()[4])

print(json.dumps({
    "uid": os.getuid(),
    "euid": os.geteuid(),
    "gid": os.getgid(),
    "groups": os.getgroups(),
    "capEff": status("CapEff"),
    "capPrm": status("CapPrm"),
    "capBnd": status("CapBnd"),
    "noNewPrivs": status("NoNewPrivs"),
    "seccomp": status("Seccomp"),
    "writableMounts": sorted(m for m in set(mounts) if os.path.isdir(m) and writable(m)),
    "rootWritable": writable("/"),
    "env": sorted(os.environ),
    "interfaces": interfaces(),
    "sockets": {
        "inet": socket_errno(socket.AF_INET, socket.SOCK_STREAM),
        "inet6": socket_errno(socket.AF_INET6, socket.SOCK_DGRAM),
        "netlink": socket_errno(socket.AF_NETLINK, socket.SOCK_RAW),
        "unix": socket_errno(socket.AF_UNIX, socket.SOCK_STREAM),
    },
    "pid": os.getpid(),
    "cwd": os.getcwd(),
}, sort_keys=True))
