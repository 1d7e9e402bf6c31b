import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import type { StockEvent } from '../events/stock-event-rules';
import { guardedLookup, WebhookSender } from './webhook-sender';
import { verifySignature } from './webhook-signature';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const event: StockEvent = {
  id: '0123456789abcdef01234567:3:stock.sold_out',
  type: 'stock.sold_out',
  variantId: '0123456789abcdef01234567',
  seq: 3,
  movement: 'reserved',
  stock: { total: 2, reserved: 2, available: 0 },
  at: NOW,
};

describe('WebhookSender', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];
  const routes: Record<string, (response: ServerResponse) => void> = {
    '/ok': (response) => response.writeHead(204).end(),
    '/fail': (response) => response.writeHead(500).end('nope'),
    '/moved': (response) => response.writeHead(302, { location: '/ok' }).end(),
    '/slow': () => undefined,
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ path: request.url ?? '', headers: request.headers, body });
        routes[request.url ?? '']?.(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sender = (allowPrivate: boolean) =>
    new WebhookSender(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE: String(allowPrivate) }),
      new ManualClock(NOW),
    );
  const subscription = (path: string) => ({
    id: 'abcdefabcdefabcdefabcdef',
    url: `${base}${path}`,
    events: [event.type],
    secret: 'a-secret-of-sixteen',
    createdAt: NOW,
  });

  it('POSTs the event as signed JSON with its id in a header; 2xx is success', async () => {
    expect(await sender(true).send(subscription('/ok'), event)).toEqual({ ok: true, status: 204 });
    const request = seen.at(-1)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['stockhold-event-id']).toBe(event.id);
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      type: 'stock.sold_out',
      variantId: event.variantId,
      seq: 3,
      data: { movement: 'reserved', stock: { total: 2, reserved: 2, available: 0 } },
      occurredAt: NOW.toISOString(),
    });
    const signature = String(request.headers['stockhold-signature']);
    expect(signature.startsWith(`t=${NOW.getTime() / 1000},v1=`)).toBe(true);
    expect(
      verifySignature('a-secret-of-sixteen', request.body, signature, NOW.getTime() / 1000),
    ).toBe(true);
  });

  it('fails on another status, and on a redirect, which it does not follow', async () => {
    expect(await sender(true).send(subscription('/fail'), event)).toEqual({
      ok: false,
      error: 'HTTP 500',
    });
    const before = seen.length;
    expect(await sender(true).send(subscription('/moved'), event)).toEqual({
      ok: false,
      error: 'HTTP 302',
    });
    expect(seen.slice(before).map((r) => r.path)).toEqual(['/moved']);
  });

  it('gives up on a receiver that does not answer within 5 s', async () => {
    expect(await sender(true).send(subscription('/slow'), event)).toEqual({
      ok: false,
      error: 'no answer within 5 s',
    });
  }, 10_000);

  it('refuses a private target unless allowed: before the request, and at connect time', async () => {
    const before = seen.length;
    const refused = await sender(false).send(subscription('/ok'), event);
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('target refused') });
    expect(seen.length).toBe(before);
    // The lookup the connection uses judges the addresses it is given (DNS may have changed).
    const lookup = (allow: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup(allow)('localhost', { all: true }, (error, address) =>
          resolve({ error, address }),
        ),
      );
    expect((await lookup(false)).error?.code).toBe('EPRIVATE');
    const allowed = await lookup(true);
    expect(allowed.error).toBeNull();
    expect(allowed.address).toEqual(
      expect.arrayContaining([expect.objectContaining({ family: expect.any(Number) })]),
    );
  });
});
