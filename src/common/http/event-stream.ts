import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Server-Sent Events plumbing shared by the live availability streams (src/live) and the
 * shoppers' waitlist streams (src/waitlist): the response head, the write discipline for slow
 * readers, and one heartbeat interval for every stream of a kind.
 */

/**
 * Takes the reply over from Fastify and writes the event-stream head, keeping the headers the
 * request hooks set (X-Request-Id, RateLimit-*). Undefined when the client already left.
 */
export function startEventStream(reply: FastifyReply): ServerResponse | undefined {
  const response = reply.raw;
  reply.hijack();
  if (response.destroyed) return undefined;
  response.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx and similar proxies would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  return response;
}

/**
 * One open stream's writer. A slow reader is never buffered for without bound: once a write
 * reports the socket congested, the subclass keeps what it still owes (bounded) and writes it
 * in `drained`. Writes to an ended or destroyed response are dropped.
 */
export abstract class EventStreamWriter {
  protected congested = false;

  constructor(private readonly response: ServerResponse) {
    response.on('drain', () => {
      this.congested = false;
      this.drained();
    });
  }

  /** A comment line: clients ignore it, proxies and idle timeouts see traffic. */
  heartbeat(): void {
    if (!this.congested) this.write(': heartbeat\n\n');
  }

  end(): void {
    this.response.end();
  }

  protected write(text: string): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    if (!this.response.write(text)) this.congested = true;
  }

  /** The socket took everything written so far: write what is owed. */
  protected abstract drained(): void;
}

/** One interval that beats every open stream of a kind, running only while some are open. */
export class EventStreamHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly intervalMs: number,
    private readonly streams: () => Iterable<EventStreamWriter>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const stream of this.streams()) stream.heartbeat();
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
