import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body, exactly as sent (what the signature covers). */
  body: string;
  // The payload as JSON; tests assert on the fields they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** What the receiver does with a request: answer a status, or never answer ('hang'). */
export type Behaviour = (request: ReceivedRequest) => number | 'hang';

/**
 * A loopback HTTP server standing in for a shop's webhook endpoint: it records every request
 * and answers as `behaviour` says (200 by default).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  behaviour: Behaviour = () => 200;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => receiver.handle(request, chunks, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Requests to one path (one subscription each). */
  on(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, chunks: Buffer[], response: ServerResponse): void {
    const body = Buffer.concat(chunks).toString('utf8');
    const received: ReceivedRequest = {
      path: request.url ?? '',
      headers: request.headers,
      body,
      json: JSON.parse(body),
    };
    this.requests.push(received);
    const answer = this.behaviour(received);
    if (answer === 'hang') {
      this.hanging.add(response);
      return;
    }
    response.writeHead(answer).end();
  }
}

/**
 * The verification recipe of docs/webhooks.md, written out here as a receiver would (not the
 * service's own helper): HMAC-SHA256 over `<t>.<raw body>`, compared in constant time, with t
 * no older than the tolerance.
 */
export function verifyAsReceiver(
  secret: string,
  rawBody: string,
  header: string,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2)));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest();
  const given = Buffer.from(String(parts.v1 ?? ''), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
