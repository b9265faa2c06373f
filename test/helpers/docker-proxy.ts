/**
 * A unix-socket proxy in front of the real Docker socket. Cutting it is, for
 * the service behind it, Docker going away mid-request (every connection
 * reset, nothing answering); restoring it is Docker coming back. Other tests
 * keep using the real engine undisturbed.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DockerProxy {
  readonly socketPath = path.join(os.tmpdir(), `verdict-docker-proxy-${randomUUID().slice(0, 8)}.sock`);
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly target = '/var/run/docker.sock') {}

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  async start(): Promise<void> {
    rmSync(this.socketPath, { force: true });
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.socketPath, resolve));
  }

  /** Docker vanishes: connections reset, new ones refused. */
  async cut(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    this.server = undefined;
    rmSync(this.socketPath, { force: true });
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
