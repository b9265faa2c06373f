/**
 * What a sandbox container is: its isolation and limits, as Docker's create options. One
 * place to read for what the candidate can and cannot reach (no network, read-only root,
 * bounded tmpfs, dropped capabilities), apart from how the engine starts and removes it.
 */
import type Docker from 'dockerode';

const SUPERVISOR = '/opt/verdict/supervisor';
/**
 * What the supervisor needs to hand files to the candidate, drop to its uid,
 * kill and wipe. The candidate loses them all when it drops to its uid.
 */
const SUPERVISOR_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID'];

export interface SandboxSpec {
  image: string;
  /** Container memory limit; memory + swap is set to the same value, so there is no swap. */
  memoryBytes: number;
  pids: number;
  cpus: number;
  /** tmpfs sizes: the program directory, /tmp, /dev/shm. */
  boxBytes: number;
  tmpBytes: number;
  shmBytes: number;
  /**
   * Entries (files, directories, links) each of those tmpfs can hold. Without it a tmpfs takes
   * directories until the host's memory runs out (they need no data pages, so its size does not
   * count them), and the wipe after a run, which visits every entry, has no bound.
   */
  inodes: number;
  /** The candidate's uid, distinct per sandbox so per-user kernel limits are not shared. */
  candidateUid: number;
  labels: Record<string, string>;
}

/** Create options for one sandbox; labels are the caller's (the engine adds its own). `runtime` is an OCI runtime other than Docker's default. */
export function sandboxContainerConfig(spec: SandboxSpec, runtime: string | undefined): Docker.ContainerCreateOptions {
  return {
    Image: spec.image,
    Entrypoint: [SUPERVISOR],
    Cmd: ['--uid', String(spec.candidateUid)],
    User: '0:0',
    WorkingDir: '/',
    Env: [],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Tmpfs: {
        '/box': `rw,nosuid,nodev,exec,size=${spec.boxBytes},nr_inodes=${spec.inodes},mode=755`,
        '/tmp': `rw,nosuid,nodev,exec,size=${spec.tmpBytes},nr_inodes=${spec.inodes},mode=1777`,
        // Docker's own /dev/shm (ShmSize) takes a size only: this one, as Docker's but with an inode limit, replaces it.
        '/dev/shm': `rw,nosuid,nodev,noexec,size=${spec.shmBytes},nr_inodes=${spec.inodes},mode=1777`,
      },
      IpcMode: 'private',
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      PidsLimit: spec.pids,
      NanoCpus: Math.round(spec.cpus * 1e9),
      CapDrop: ['ALL'],
      CapAdd: SUPERVISOR_CAPABILITIES,
      SecurityOpt: ['no-new-privileges'],
      Ulimits: [
        { Name: 'nofile', Soft: 4096, Hard: 4096 },
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: spec.boxBytes, Hard: spec.boxBytes },
      ],
      LogConfig: { Type: 'none', Config: {} },
      Privileged: false,
      AutoRemove: false,
      Init: false,
      ...(runtime ? { Runtime: runtime } : {}),
    },
  };
}
