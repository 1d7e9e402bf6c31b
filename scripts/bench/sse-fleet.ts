import { connect, type Socket } from 'node:net';

/**
 * Reads the versions out of a Server-Sent Events byte stream, chunk by chunk: an event's `id:`
 * line gives its version, and the event counts once its blank line has arrived. Comment lines
 * (heartbeats), `event:` and `data:` lines are skipped. Lines may be split across chunks.
 */
export class SseVersionParser {
  private carry = '';
  private pending: number | undefined;

  /** Feeds one chunk; returns the versions of the events it completed, in order. */
  push(chunk: string): number[] {
    const text = this.carry + chunk;
    const completed: number[] = [];
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) >= 0) {
      const line =
        text.charCodeAt(newline - 1) === 13
          ? text.slice(start, newline - 1)
          : text.slice(start, newline);
      start = newline + 1;
      if (line === '') {
        if (this.pending !== undefined) completed.push(this.pending);
        this.pending = undefined;
      } else if (line.startsWith('id:')) {
        this.pending = Number(line.slice(3).trim());
      }
    }
    this.carry = text.slice(start);
    return completed;
  }
}

/** One stream: the versions it received and when (performance.now()), in arrival order. */
export interface StreamReceipts {
  versions: number[];
  times: number[];
}

export interface FleetOptions {
  host: string;
  port: number;
  path: string;
  authorization: string;
}

/**
 * Many Server-Sent Events clients in this process, kept as cheap as possible so the clients do
 * not dominate what is measured: one raw TCP socket each, read through `onread` into one shared
 * buffer (no stream machinery, no Buffer per read); an HTTP/1.0 request, so the answer comes
 * without chunked framing and with no keep-alive or agent bookkeeping; one clock reading per read;
 * only the `id:` lines parsed.
 */
export class SseFleet {
  readonly receipts: StreamReceipts[] = [];
  private readonly sockets: Socket[] = [];
  /** How many streams have received each version. */
  private readonly arrivals = new Map<number, number>();
  /** The one version being waited for, with what to call once every stream has it. */
  private awaited?: { version: number; done: () => void };
  /** Every socket reads into this: each read is handled before the next one lands. */
  private readonly readBuffer = Buffer.alloc(64 * 1024);
  /** Streams whose answer was not a 200, or that closed after their first event. */
  refused = 0;
  closedEarly = 0;
  private closing = false;

  constructor(private readonly options: FleetOptions) {}

  get size(): number {
    return this.sockets.length;
  }

  /** Opens `count` more streams, `batch` at a time; resolves once each has its first event. */
  async open(count: number, batch = 100): Promise<void> {
    for (let opened = 0; opened < count; opened += batch) {
      const size = Math.min(batch, count - opened);
      await Promise.all(Array.from({ length: size }, () => this.openOne()));
    }
  }

  /** Streams that have received `version`. */
  count(version: number): number {
    return this.arrivals.get(version) ?? 0;
  }

  /** Resolves true once every stream has `version`, false when `timeoutMs` passes first. */
  waitForAll(version: number, timeoutMs: number): Promise<boolean> {
    if (this.count(version) >= this.sockets.length) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.awaited = undefined;
        resolve(false);
      }, timeoutMs);
      this.awaited = {
        version,
        done: () => {
          clearTimeout(timer);
          this.awaited = undefined;
          resolve(true);
        },
      };
    });
  }

  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  private arrived(version: number): void {
    const count = (this.arrivals.get(version) ?? 0) + 1;
    this.arrivals.set(version, count);
    if (this.awaited?.version === version && count >= this.sockets.length) this.awaited.done();
  }

  private openOne(): Promise<void> {
    const { host, port, path, authorization } = this.options;
    const receipts: StreamReceipts = { versions: [], times: [] };
    const parser = new SseVersionParser();
    return new Promise((resolve, reject) => {
      let headerDone = false;
      let head = '';
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      const read = (length: number, buffer: Buffer): boolean => {
        const at = performance.now();
        let body = buffer.toString('latin1', 0, length);
        if (!headerDone) {
          head += body;
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return true;
          headerDone = true;
          if (!head.startsWith('HTTP/1.1 200') && !head.startsWith('HTTP/1.0 200')) {
            this.refused += 1;
            socket.destroy();
            settle(new Error(`stream refused: ${head.split('\r\n')[0]}`));
            return false;
          }
          body = head.slice(end + 4);
        }
        for (const version of parser.push(body)) {
          receipts.versions.push(version);
          receipts.times.push(at);
          this.arrived(version);
          settle();
        }
        return true;
      };
      const socket = connect({
        host,
        port,
        onread: { buffer: this.readBuffer, callback: read },
      });
      socket.on('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.0\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n` +
            `Authorization: ${authorization}\r\n\r\n`,
        );
      });
      socket.on('error', (error) => settle(error));
      socket.on('close', () => {
        if (settled && !this.closing) this.closedEarly += 1;
        settle(new Error('stream closed before its first event'));
      });
      this.sockets.push(socket);
      this.receipts.push(receipts);
    });
  }
}
