import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/common/clock';
import { ReservationsService } from '../../src/reservations/reservations.service';
import { openSse, type SseClient } from '../helpers/sse-client';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const OFFER_TTL_SECONDS = 60;
const HOLD_TTL_SECONDS = 600;
const HEARTBEAT_MS = 200;

type Body = Record<string, unknown>;

/** The waitlist over HTTP: its routes, a scripted sale, and the shopper's notice stream. */
describe('waitlist', () => {
  let t: TestApp;
  let clock: ManualClock;
  const streams: SseClient[] = [];
  let shopper = 0;
  const newShopper = (label: string) => `${label}-${(shopper += 1)}`;

  beforeAll(async () => {
    t = await startTestApp({
      manualClock: true,
      env: {
        WAITLIST_OFFER_TTL_SECONDS: String(OFFER_TTL_SECONDS),
        RESERVATION_TTL_SECONDS: String(HOLD_TTL_SECONDS),
        LIVE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      },
    });
    clock = t.clock as ManualClock;
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t.close();
  });

  const as = (userId: string) => ({ token: t.token(userId) });
  const join = (userId: string, variantId: string, quantity = 1) =>
    t.request('POST', `/v1/variants/${variantId}/waitlist`, {
      ...as(userId),
      body: { quantity },
    });
  const entry = (userId: string, variantId: string) =>
    t.request('GET', `/v1/variants/${variantId}/waitlist`, as(userId));
  const reserve = (userId: string, variantId: string) =>
    t.request('POST', '/v1/reservations', { ...as(userId), body: { variantId, quantity: 1 } });
  const release = (userId: string, reservationId: string) =>
    t.request('DELETE', `/v1/reservations/${reservationId}`, as(userId));
  const expire = (reservationId: string) => t.app.get(ReservationsService).expire(reservationId);
  const available = async (variantId: string) =>
    (await t.request('GET', `/v1/inventory/${variantId}`, as('watcher'))).body.availableStock;
  const reconcile = async () =>
    (await t.request('GET', '/v1/admin/reconcile', { token: t.token('admin', { admin: true }) }))
      .body as { ok: boolean; violations: unknown[] };

  it('joins only a line that cannot be served, once, and tells the place; leaving deletes it', async () => {
    const variantId = await createVariant(t, 1);
    const refused = await join(newShopper('early'), variantId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('STOCK_AVAILABLE');

    expect((await reserve(newShopper('holder'), variantId)).status).toBe(201);
    const [ann, ben] = [newShopper('ann'), newShopper('ben')];
    const joined = await join(ann, variantId);
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({
      variantId,
      quantity: 1,
      status: 'waiting',
      position: 1,
      lottery: false,
    });
    expect((await join(ben, variantId)).body.position).toBe(2);
    const again = await join(ann, variantId);
    expect([again.status, again.body.code]).toEqual([409, 'ALREADY_WAITING']);

    expect((await entry(ben, variantId)).body.position).toBe(2);
    const stranger = await entry(newShopper('stranger'), variantId);
    expect([stranger.status, stranger.body.code]).toEqual([404, 'WAITLIST_ENTRY_NOT_FOUND']);
    const left = await t.request('DELETE', `/v1/variants/${variantId}/waitlist`, as(ann));
    expect(left.status).toBe(204);
    expect((await entry(ben, variantId)).body.position).toBe(1);
    const leftAgain = await t.request('DELETE', `/v1/variants/${variantId}/waitlist`, as(ann));
    expect(leftAgain.status).toBe(404);
  });

  it('refuses bad input: a malformed id, a quantity out of range, an unknown variant', async () => {
    const user = newShopper('odd');
    expect((await join(user, 'not-an-id')).status).toBe(400);
    const variantId = await createVariant(t, 0);
    expect((await join(user, variantId, 0)).status).toBe(400);
    expect((await join(user, variantId, 11)).body.code).toBe('VALIDATION_FAILED');
    const unknown = await join(user, '0123456789abcdef01234567');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'VARIANT_NOT_FOUND']);
  });

  it('a scripted sale: freed units go to the waiters in join order, never to a newcomer (I8)', async () => {
    const variantId = await createVariant(t, 3);
    const holders = [newShopper('h'), newShopper('h'), newShopper('h')];
    const holds: string[] = [];
    for (const holder of holders) holds.push((await reserve(holder, variantId)).body.id as string);
    const waiters = [newShopper('w'), newShopper('w'), newShopper('w'), newShopper('w')];
    for (const waiter of waiters) expect((await join(waiter, variantId)).status).toBe(201);
    const newcomer = newShopper('newcomer');

    // A shopper releases: the unit becomes the first waiter's offer, not available stock.
    expect((await release(holders[0], holds[0])).status).toBe(200);
    const first = (await entry(waiters[0], variantId)).body as Body;
    expect(first).toMatchObject({ status: 'offered', position: null });
    const mine = await t.request('GET', '/v1/reservations?status=active', as(waiters[0]));
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id: first.reservationId, variantId, source: 'waitlist' }),
    ]);
    const offerExpiry = new Date((mine.body.items as Body[])[0].expiresAt as string).getTime();
    expect(offerExpiry - clock.now().getTime()).toBe(OFFER_TTL_SECONDS * 1000);
    expect(await available(variantId)).toBe(0);
    expect((await reserve(newcomer, variantId)).body.code).toBe('OUT_OF_STOCK');
    expect((await entry(waiters[1], variantId)).body.position).toBe(1);

    // A hold expires (the sweeper's path): the next waiter.
    clock.advance(HOLD_TTL_SECONDS * 1000);
    expect(await expire(holds[1])).toBe(true);
    expect((await entry(waiters[1], variantId)).body.status).toBe('offered');
    expect((await reserve(newcomer, variantId)).body.code).toBe('OUT_OF_STOCK');

    // The first offer lapses untaken: it passes to the third waiter.
    expect(await expire(first.reservationId as string)).toBe(true);
    expect((await entry(waiters[2], variantId)).body.status).toBe('offered');
    expect((await entry(waiters[3], variantId)).body.position).toBe(1);
    expect(await available(variantId)).toBe(0);
    expect(await reconcile()).toEqual({ ok: true, checked: expect.any(Number), violations: [] });

    // The last waiter leaves; only now does a freed unit return to stock for anyone.
    await t.request('DELETE', `/v1/variants/${variantId}/waitlist`, as(waiters[3]));
    clock.advance(HOLD_TTL_SECONDS * 1000);
    expect(await expire(holds[2])).toBe(true);
    expect(await available(variantId)).toBe(1);
    expect((await reserve(newcomer, variantId)).status).toBe(201);
    expect((await reconcile()).ok).toBe(true);
  });

  it('draws the entries made before saleStartsAt at the opening, ahead of later joiners', async () => {
    const opening = new Date(clock.now().getTime() + 60_000);
    const variantId = await createVariant(t, 0, {
      salePrice: 999,
      saleStartsAt: opening.toISOString(),
      saleEndsAt: new Date(opening.getTime() + 3_600_000).toISOString(),
    });
    const early = [
      newShopper('early'),
      newShopper('early'),
      newShopper('early'),
      newShopper('early'),
    ];
    for (const shopper of early) {
      expect((await join(shopper, variantId)).body).toMatchObject({
        lottery: true,
        position: null,
      });
    }
    clock.set(new Date(opening.getTime() + 1000));
    const late = newShopper('late');
    expect((await join(late, variantId)).body).toMatchObject({ lottery: false, position: 5 });
    const positions = await Promise.all(
      early.map(async (shopper) => (await entry(shopper, variantId)).body.position as number),
    );
    expect([...positions].sort()).toEqual([1, 2, 3, 4]);

    const admin = { token: t.token('admin', { admin: true }) };
    await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      ...admin,
      body: { delta: 1 },
    });
    const first = early[positions.indexOf(1)];
    expect((await entry(first, variantId)).body.status).toBe('offered');
    expect((await entry(late, variantId)).body.position).toBe(4);
  });

  it("streams the shopper's own offer, with heartbeats, and nothing of anyone else's", async () => {
    const variantId = await createVariant(t, 1);
    const holder = newShopper('holder');
    const hold = (await reserve(holder, variantId)).body.id as string;
    const [waiter, other] = [newShopper('w'), newShopper('other')];
    await join(waiter, variantId);
    const stream = await openSse(`${t.url}/v1/waitlist/stream`, {
      authorization: `Bearer ${t.token(waiter)}`,
    });
    const otherStream = await openSse(`${t.url}/v1/waitlist/stream`, {
      authorization: `Bearer ${t.token(other)}`,
    });
    streams.push(stream, otherStream);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);

    await release(holder, hold);
    const offer = await stream.nthEvent(1);
    expect(offer.event).toBe('offer');
    const data = JSON.parse(offer.data!) as Body;
    const { body } = await entry(waiter, variantId);
    expect(data).toEqual({
      entryId: body.id,
      variantId,
      reservationId: body.reservationId,
      quantity: 1,
      expiresAt: new Date(clock.now().getTime() + OFFER_TTL_SECONDS * 1000).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2));
    expect(stream.comments).toContain('heartbeat');
    expect(otherStream.events).toHaveLength(0);
    const metrics = String((await t.request('GET', '/metrics')).body);
    expect(metrics).toMatch(/^stockhold_waitlist_notices_total\{type="offer"\} [1-9]/m);
    expect(metrics).toMatch(/^stockhold_waitlist_streams_open [2-9]/m);
  });

  it('needs a signed-in shopper', async () => {
    const anonymous = await openSse(`${t.url}/v1/waitlist/stream`);
    expect(anonymous.status).toBe(401);
    anonymous.close();
  });
});

describe('waitlist notices across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let stream: SseClient | undefined;

  beforeAll(async () => {
    // A runs the expiry sweeper (as the worker process does), with two-second holds.
    [a, b] = await Promise.all([
      startTestApp({
        env: { WORKERS: 'inline', EXPIRY_SWEEP_MS: '50', RESERVATION_TTL_SECONDS: '2' },
      }),
      startTestApp(),
    ]);
  });
  afterAll(async () => {
    stream?.close();
    await Promise.all([a.close(), b.close()]);
  });

  it('an offer made on one instance reaches the shopper streaming from another (Redis)', async () => {
    stream = await openSse(`${b.url}/v1/waitlist/stream`, {
      authorization: `Bearer ${b.token('remote-waiter')}`,
    });
    const variantId = await createVariant(a, 1);
    const held = await a.request('POST', '/v1/reservations', {
      token: a.token('remote-holder'),
      body: { variantId, quantity: 1 },
    });
    await a.request('POST', `/v1/variants/${variantId}/waitlist`, {
      token: a.token('remote-waiter'),
      body: { quantity: 1 },
    });
    await a.request('DELETE', `/v1/reservations/${held.body.id as string}`, {
      token: a.token('remote-holder'),
    });
    const offer = await stream.nthEvent(1);
    expect(offer.event).toBe('offer');
    expect(JSON.parse(offer.data!)).toMatchObject({ variantId, quantity: 1 });
  });

  it("an offer made by the expiry sweep reaches the shopper's stream on another instance", async () => {
    const waiterStream = await openSse(`${b.url}/v1/waitlist/stream`, {
      authorization: `Bearer ${b.token('sweep-waiter')}`,
    });
    try {
      const variantId = await createVariant(a, 1);
      await a.request('POST', '/v1/reservations', {
        token: a.token('sweep-holder'),
        body: { variantId, quantity: 1 },
      });
      const joined = await a.request('POST', `/v1/variants/${variantId}/waitlist`, {
        token: a.token('sweep-waiter'),
        body: { quantity: 1 },
      });
      expect(joined.status).toBe(201);
      // The hold lapses after two seconds; the sweeper's expiry hands the unit to the waiter.
      const offer = await waiterStream.nthEvent(1, 5000);
      expect(offer.event).toBe('offer');
      expect(JSON.parse(offer.data!)).toMatchObject({ variantId, quantity: 1 });
    } finally {
      waiterStream.close();
    }
  });
});
