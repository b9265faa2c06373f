"""Reports what a candidate can see and do inside the sandbox, as JSON."""
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
    "interfaces": sorted(name for _, name in socket.if_nameindex()),
    "pid": os.getpid(),
    "cwd": os.getcwd(),
}, sort_keys=True))
