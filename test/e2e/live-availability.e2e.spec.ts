import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveAvailability } from '../../src/live/live-availability.service';
import { eventually } from '../helpers/eventually';
import { openSse, type SseClient, type SseEvent } from '../helpers/sse-client';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const COALESCE_MS = 250;
const HEARTBEAT_MS = 300;

/** GET /v1/inventory/:variantId/stream, read by a small SSE client over node:http. */
describe('live availability stream', () => {
  let t: TestApp;
  const open: SseClient[] = [];
  let shopper = 0;

  beforeAll(async () => {
    t = await startTestApp({
      env: { LIVE_COALESCE_MS: String(COALESCE_MS), LIVE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    });
  });
  afterAll(async () => {
    for (const client of open) client.close();
    await t.close();
  });

  async function stream(variantId: string, headers: Record<string, string> = {}) {
    const client = await openSse(`${t.url}/v1/inventory/${variantId}/stream`, {
      authorization: `Bearer ${t.token('watcher')}`,
      ...headers,
    });
    open.push(client);
    return client;
  }

  const reserve = (variantId: string) =>
    t.request('POST', '/v1/reservations', {
      token: t.token(`live-${(shopper += 1)}`),
      body: { variantId, quantity: 1 },
    });

  const figures = (event: SseEvent) => JSON.parse(event.data!) as Record<string, unknown>;

  it('sends the current figures at once, then a change within the coalescing window', async () => {
    const variantId = await createVariant(t, 5);
    const client = await stream(variantId);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.headers['cache-control']).toContain('no-cache');
    expect(client.headers['x-request-id']).toBeTruthy();
    const first = await client.nthEvent(1);
    expect(first.event).toBe('availability');
    const created = Number(first.id);
    expect(figures(first)).toEqual({ variantId, availableStock: 5, version: created });

    const changedAt = performance.now();
    expect((await reserve(variantId)).status).toBe(201);
    const second = await client.nthEvent(2);
    expect(figures(second)).toEqual({ variantId, availableStock: 4, version: created + 1 });
    expect(second.id).toBe(String(created + 1));
    expect(second.receivedAt - changedAt).toBeLessThan(COALESCE_MS + 100);
  });

  it('coalesces rapid changes: at most one message per window, the last with the latest figures', async () => {
    const variantId = await createVariant(t, 20);
    const client = await stream(variantId);
    const created = Number((await client.nthEvent(1)).id);
    // The first change after a quiet window goes out at once …
    expect((await reserve(variantId)).status).toBe(201);
    const leading = await client.nthEvent(2);
    expect(figures(leading).availableStock).toBe(19);
    // … the next ones within the window are held, and only the latest figures are sent.
    const burst = await Promise.all([1, 2, 3, 4].map(() => reserve(variantId)));
    expect(burst.every((response) => response.status === 201)).toBe(true);
    const trailing = await client.nthEvent(3, COALESCE_MS * 4);
    expect(figures(trailing)).toEqual({ variantId, availableStock: 15, version: created + 5 });
    expect(trailing.receivedAt - leading.receivedAt).toBeGreaterThanOrEqual(COALESCE_MS * 0.8);
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS * 2));
    expect(client.events).toHaveLength(3);
  });

  it('resumes from Last-Event-ID: nothing re-sent when it is current, the figures when older', async () => {
    const variantId = await createVariant(t, 3);
    expect((await reserve(variantId)).status).toBe(201);
    const { version } = (
      await t.request('GET', `/v1/inventory/${variantId}`, {
        token: t.token('watcher'),
      })
    ).body as { version: number };

    const upToDate = await stream(variantId, { 'last-event-id': String(version) });
    const behind = await stream(variantId, { 'last-event-id': String(version - 1) });
    expect(figures(await behind.nthEvent(1))).toEqual({ variantId, availableStock: 2, version });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upToDate.events).toHaveLength(0);

    expect((await reserve(variantId)).status).toBe(201);
    expect(figures(await upToDate.nthEvent(1))).toEqual({
      variantId,
      availableStock: 1,
      version: version + 1,
    });
  });

  it('sends heartbeat comment lines while nothing changes', async () => {
    const variantId = await createVariant(t, 1);
    const client = await stream(variantId);
    await eventually(() => expect(client.comments).toContain('heartbeat'), HEARTBEAT_MS * 4);
  });

  it('forgets a stream when its client leaves', async () => {
    const live = t.app.get(LiveAvailability);
    const variantId = await createVariant(t, 1);
    const before = live.streamCount;
    const client = await stream(variantId);
    await client.nthEvent(1);
    expect(live.streamCount).toBe(before + 1);
    client.close();
    await eventually(() => expect(live.streamCount).toBe(before), 1000);
  });

  it('answers 404 for an unknown variant and 401 without a token, in the one error shape', async () => {
    const missing = await stream('0123456789abcdef01234567');
    expect(missing.status).toBe(404);
    expect(JSON.parse(await missing.body())).toMatchObject({ code: 'VARIANT_NOT_FOUND' });

    const variantId = await createVariant(t, 1);
    const anonymous = await openSse(`${t.url}/v1/inventory/${variantId}/stream`);
    open.push(anonymous);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(await anonymous.body())).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('is counted once by the rate limits, however long it stays open', async () => {
    // Limits of its own (per process), so no other test's requests count here.
    const limited = await startTestApp({
      env: { RATE_LIMIT_BACKEND: 'local', GLOBAL_RATE_LIMIT: '3', LIVE_HEARTBEAT_MS: '100' },
    });
    try {
      const variantId = await createVariant(limited, 1); // request 1
      const client = await openSse(`${limited.url}/v1/inventory/${variantId}/stream`, {
        authorization: `Bearer ${limited.token('watcher')}`,
      }); // request 2
      open.push(client);
      await client.nthEvent(1);
      await eventually(() => expect(client.comments.length).toBeGreaterThanOrEqual(3), 2000);
      const token = limited.token('watcher');
      const third = await limited.request('GET', `/v1/inventory/${variantId}`, { token });
      expect(third.status).toBe(200);
      const fourth = await limited.request('GET', `/v1/inventory/${variantId}`, { token });
      expect(fourth.status).toBe(429);
      client.close();
    } finally {
      await limited.close();
    }
  });
});
