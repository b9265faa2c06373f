/**
 * A second Docker engine on this machine, standing for a second sandbox host:
 * its own dockerd, data root and socket, so it can be restarted under the
 * replica that uses it while everything else keeps the main engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { docker, run } from './cluster.js';
import { until } from './wait.js';

const ROOT_DIR = '/run/verdict-engine2';
/**
 * Its own bridge: with `--bridge none` dockerd deletes the host's docker0 at start (it takes
 * that interface for a leftover of its own), which cuts the main engine's containers off.
 */
const BRIDGE = 'verdict-e2br';
const DATA_DIR = '/var/lib/verdict-engine2';

export class SecondEngine {
  /** Holds the socket and nothing a container could use against this host: mount this, not the socket. */
  readonly socketDir = `${ROOT_DIR}/api`;
  readonly socketPath = `${this.socketDir}/docker.sock`;
  readonly host = `unix://${this.socketPath}`;
  private child: ChildProcess | undefined;

  async start(): Promise<void> {
    mkdirSync(this.socketDir, { recursive: true });
    mkdirSync(DATA_DIR, { recursive: true });
    // A dockerd killed earlier leaves its pid file, and a new one refuses to start over it.
    rmSync(`${ROOT_DIR}/docker.pid`, { force: true });
    rmSync(`${ROOT_DIR}/exec/containerd/containerd.pid`, { force: true });
    await run('bash', ['-c', `ip link show ${BRIDGE} >/dev/null 2>&1 || { ip link add name ${BRIDGE} type bridge && ip addr add 172.31.254.1/24 dev ${BRIDGE} && ip link set ${BRIDGE} up; }`]);
    const log = openSync('/var/log/verdict-engine2.log', 'a');
    // Sandboxes need no network, so no iptables rules beside the main engine's.
    this.child = spawn(
      'dockerd',
      ['--data-root', DATA_DIR, '--exec-root', `${ROOT_DIR}/exec`, '--pidfile', `${ROOT_DIR}/docker.pid`, '-H', this.host, '--bridge', BRIDGE, '--iptables=false', '--ip-masq=false'],
      { stdio: ['ignore', log, log], detached: true },
    );
    this.child.unref();
    await until('the second engine answers', async () => existsSync(this.socketPath) && (await this.cli('version', '--format', '{{.Server.Version}}')).length > 0, { timeoutMs: 60_000, intervalMs: 500 });
  }

  /** What `systemctl restart docker` does: stop (its containers stop too), then start again. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Stops it and removes its bridge; its data root stays, so the next run need not load images again. */
  async dispose(): Promise<void> {
    await this.stop();
    await run('ip', ['link', 'delete', BRIDGE]).catch(() => undefined);
  }

  cli(...args: string[]): Promise<string> {
    return run('docker', ['-H', this.host, ...args], { timeoutMs: 600_000 }).then((r) => r.stdout);
  }

  /** Copies the sandbox images (and their base) from the main engine, unless already there. */
  async loadSandboxImages(): Promise<void> {
    const wanted = (await docker('images', '--format', '{{.Repository}}:{{.Tag}}')).stdout
      .split('\n')
      .filter((ref) => /^verdict\/sandbox-[a-z]+:[0-9a-f]+$/.test(ref) || ref === 'verdict/debian-bootstrap:bookworm' || ref === 'debian:bookworm-slim');
    const present = new Set((await this.cli('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n'));
    const missing = wanted.filter((ref) => !present.has(ref));
    if (missing.length === 0) return;
    await run('bash', ['-c', `set -o pipefail; docker save ${missing.join(' ')} | docker -H ${this.host} load -q`], { timeoutMs: 900_000 });
  }
}
