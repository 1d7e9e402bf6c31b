import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** USER_HZ: Linux reports process CPU times in these ticks (100 on every mainstream build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** A free TCP port on loopback (the bench only ever listens and connects there). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  gaveUp: () => string | undefined = () => undefined,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    const reason = gaveUp();
    if (reason) throw new Error(`${what}: ${reason}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A private redis-server, never the shared one on 6379: no persistence, loopback only. */
export class BenchRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<BenchRedis> {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const redis = new BenchRedis(child, port);
    await waitUntil(
      `redis-server on ${port}`,
      async () => (await redisCommand(port, 'PING')) === '+PONG',
      10_000,
    );
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Empties it between service configurations, so no run inherits another's counters. */
  async flush(): Promise<void> {
    if ((await redisCommand(this.port, 'FLUSHALL')) !== '+OK') {
      throw new Error(`FLUSHALL on redis-server ${this.port} failed`);
    }
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** One inline command over a raw socket; resolves with the first line of the reply ('' on failure). */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (reply: string) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(2000, () => done(''));
    socket.on('error', () => done(''));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => done(data.toString().split('\r\n')[0]));
  });
}

export interface ServiceOptions {
  repoRoot: string;
  env: Record<string, string>;
  /** Where stdout (the request log) and stderr go. */
  logFile: string;
  /** Directory for a `--cpu-prof` profile, when profiling. */
  cpuProfileDir?: string;
  /** The script to run; the built service (`dist/main.js`) unless given. */
  entry?: string;
  /** Extra node flags (e.g. `--expose-gc` with a preloaded probe). */
  nodeArgs?: string[];
}

/** The built service (`node dist/main.js`) on a free loopback port. */
export class BenchService {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(options: ServiceOptions): Promise<BenchService> {
    const main = options.entry ?? join(options.repoRoot, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const port = await freePort();
    // The service writes straight into the file: piping through the bench would spend the load
    // generator's CPU on copying log lines.
    const log = openSync(options.logFile, 'w');
    const nodeArgs = [
      ...(options.nodeArgs ?? []),
      ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
    ];
    const child = spawn(process.execPath, [...nodeArgs, main], {
      cwd: options.repoRoot,
      env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const url = `http://127.0.0.1:${port}`;
    const service = new BenchService(child, url);
    let exitedEarly = false;
    child.once('exit', (code, signal) => {
      exitedEarly = true;
      service.exit = signal ?? `code ${code}`;
    });
    await waitUntil(
      `the service (log: ${options.logFile})`,
      async () => (await fetch(`${url}/health/live`)).ok,
      30_000,
      () => (exitedEarly ? 'it exited at boot' : undefined),
    ).catch(async (error: unknown) => {
      await service.stop();
      throw error;
    });
    return service;
  }

  /**
   * CPU time the service has used so far (user + system, every thread: GC included), in ms, from
   * /proc; undefined where there is no /proc. Per request, this is what the service costs,
   * whatever else competes for the machine.
   */
  cpuTimeMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the command name "(…)": state is field 3, utime 14 and stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  /** How the process ended (a signal name or `code N`), once it has. */
  exit?: string;

  /** The process id (for /proc and signals). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Resident memory of the process now (VmRSS in /proc/<pid>/status), bytes; undefined without /proc. */
  residentBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    } catch {
      return undefined;
    }
  }

  /** Sends a signal to the process (the memory probe answers SIGWINCH). */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** SIGTERM, as an orchestrator would; `--cpu-prof` writes its profile on this clean exit. */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
