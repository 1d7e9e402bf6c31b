import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';
import {
  verifyAsReceiver,
  WebhookReceiver,
  type ReceivedRequest,
} from '../helpers/webhook-receiver';

const ORDER = ['stock.changed', 'stock.low', 'stock.sold_out', 'stock.back_in_stock'];

/** The first delivery of each event id, in arrival order (a consumer's view after deduplication). */
function firstDeliveries(requests: ReceivedRequest[]): ReceivedRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => !seen.has(r.json.id) && seen.add(r.json.id));
}

/** Within each variant, requests never go back to an earlier event (retries repeat the same one). */
function expectOrderedPerVariant(requests: ReceivedRequest[]): void {
  const last = new Map<string, number>();
  for (const { json } of requests) {
    const position = json.seq * 4 + ORDER.indexOf(json.type);
    expect(position, `${json.id} after ${last.get(json.variantId)}`).toBeGreaterThanOrEqual(
      last.get(json.variantId) ?? 0,
    );
    last.set(json.variantId, position);
  }
}

describe('webhooks: signed, ordered per variant, retried, dead-lettered and re-driven', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let admin: string;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({
      env: {
        WORKERS: 'inline',
        QUEUE_PREFIX: `webhooks-e2e-${process.pid}`,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_FOR_SECONDS: '2',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_PUBLISH_INTERVAL_MS: '50',
        WEBHOOK_SWEEP_MS: '500',
      },
    });
    admin = t.token('ops', { admin: true });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const subscribe = async (path: string, events: string[]) => {
    const created = await t.request('POST', '/v1/admin/webhooks', {
      token: admin,
      body: { url: receiver.url(path), events },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  };
  const hold = async (variantId: string, shopper: string) => {
    const held = await t.request('POST', '/v1/reservations', {
      token: t.token(shopper),
      body: { variantId, quantity: 1 },
    });
    expect(held.status).toBe(201);
    return held.body.id as string;
  };

  it('a scripted sale (stock 5, threshold 2): every event signed, in order, stable ids; low at 2, sold_out at 0, back_in_stock on a release', async () => {
    const { secret } = await subscribe('/sale', ORDER);
    const variantId = await createVariant(t, 5, { lowStockThreshold: 2 });
    const holds: string[] = [];
    for (const shopper of ['a', 'b', 'c', 'd', 'e']) holds.push(await hold(variantId, shopper));
    await t.request('POST', `/v1/reservations/${holds[0]}/commit`, { token: t.token('a') });
    await t.request('DELETE', `/v1/reservations/${holds[1]}`, { token: t.token('b') });

    const id = (seq: number, type: string) => `${variantId}:${seq}:${type}`;
    const expected = [
      ...[1, 2, 3].map((seq) => id(seq, 'stock.changed')),
      id(4, 'stock.changed'),
      id(4, 'stock.low'),
      id(5, 'stock.changed'),
      id(6, 'stock.changed'),
      id(6, 'stock.sold_out'),
      id(7, 'stock.changed'),
      id(8, 'stock.changed'),
      id(8, 'stock.back_in_stock'),
    ];
    const delivered = await eventually(() => {
      const first = firstDeliveries(receiver.on('/sale'));
      expect(first.map((r) => r.json.id)).toEqual(expected);
      return first;
    }, 15_000);
    expectOrderedPerVariant(receiver.on('/sale'));

    for (const request of receiver.on('/sale')) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['stockhold-event-id']).toBe(request.json.id);
      const signature = String(request.headers['stockhold-signature']);
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyAsReceiver(secret, request.body, signature)).toBe(true);
      expect(verifyAsReceiver('another-secret-entirely', request.body, signature)).toBe(false);
      expect(verifyAsReceiver(secret, request.body.replace('"seq"', '"seq" '), signature)).toBe(
        false,
      );
    }
    expect(
      delivered
        .filter((r) => r.json.type !== 'stock.changed')
        .map((r) => [r.json.type, r.json.seq, r.json.data.stock.available]),
    ).toEqual([
      ['stock.low', 4, 2],
      ['stock.sold_out', 6, 0],
      ['stock.back_in_stock', 8, 1],
    ]);
    expect(delivered[4].json).toEqual({
      id: id(4, 'stock.low'),
      type: 'stock.low',
      variantId,
      seq: 4,
      data: {
        movement: 'reserved',
        stock: { total: 5, reserved: 3, available: 2 },
        lowStockThreshold: 2,
      },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // The figures of each event are those of the ledger movement it names.
    const movements = await t.request('GET', `/v1/admin/variants/${variantId}/movements`, {
      token: admin,
    });
    for (const request of delivered) {
      const movement = movements.body.items[request.json.seq - 1];
      expect(request.json.data.stock).toEqual(movement.after);
      expect(request.json.occurredAt).toBe(movement.at);
    }
  });

  it('a receiver answering 500 for a while gets everything afterwards, still in order per variant', async () => {
    await subscribe('/flaky', ['stock.changed']);
    let failUntil = Number.POSITIVE_INFINITY;
    receiver.behaviour = (request) => {
      if (request.path !== '/flaky') return 200;
      if (failUntil === Number.POSITIVE_INFINITY) failUntil = Date.now() + 800;
      return Date.now() < failUntil ? 500 : 200;
    };
    const variants = [await createVariant(t, 10), await createVariant(t, 10)];
    for (let i = 0; i < 3; i++) {
      for (const variantId of variants) {
        await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
          token: admin,
          body: { delta: 1 },
        });
      }
    }
    const expected = variants.flatMap((v) =>
      [1, 2, 3, 4].map((seq) => `${v}:${seq}:stock.changed`),
    );
    await eventually(() => {
      const ids = firstDeliveries(receiver.on('/flaky')).map((r) => r.json.id);
      expect([...ids].sort()).toEqual([...expected].sort());
    }, 15_000);
    expect(receiver.on('/flaky').length).toBeGreaterThan(expected.length);
    expectOrderedPerVariant(receiver.on('/flaky'));
    receiver.behaviour = () => 200;
  });

  it('dead-letters after the bound, keeps the lane moving, and replays a dead letter on re-drive', async () => {
    const subscription = await subscribe('/dead', ['stock.changed']);
    receiver.behaviour = (request) => (request.path === '/dead' ? 500 : 200);
    const variantId = await createVariant(t, 3);
    await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
      token: admin,
      body: { delta: 2 },
    });
    const deliveries = (query: string) =>
      t.request('GET', `/v1/admin/webhooks/${subscription.id}/deliveries${query}`, {
        token: admin,
      });
    const failed = await eventually(async () => {
      const answer = await deliveries('?status=failed');
      expect(answer.body.map((d: { eventId: string }) => d.eventId).sort()).toEqual(
        [`${variantId}:1:stock.changed`, `${variantId}:2:stock.changed`].sort(),
      );
      return answer.body;
    }, 20_000);
    // Event 2 was not tried before event 1 was dead-lettered.
    expectOrderedPerVariant(receiver.on('/dead'));
    const first = failed.find((d: { eventId: string }) => d.eventId.endsWith(':1:stock.changed'));
    expect(first).toMatchObject({ status: 'failed', lastError: 'HTTP 500' });
    expect(first.attempts).toBeGreaterThan(1);
    expect(first.payload.id).toBe(first.eventId);

    receiver.behaviour = () => 200;
    const before = receiver.on('/dead').length;
    const redriven = await t.request(
      'POST',
      `/v1/admin/webhooks/${subscription.id}/deliveries/${first.id}/redrive`,
      { token: admin },
    );
    expect(redriven.status).toBe(202);
    expect(redriven.body.status).toBe('redriving');
    const replayed = await eventually(async () => {
      const answer = await deliveries('?status=delivered');
      expect(answer.body.map((d: { id: string }) => d.id)).toEqual([first.id]);
      return receiver.on('/dead').slice(before);
    }, 10_000);
    expect(replayed.map((r) => r.json.id)).toEqual([first.eventId]);
    // The same event, byte for byte, as the attempts that failed.
    expect(replayed[0].body).toBe(receiver.on('/dead')[0].body);
    const again = await t.request(
      'POST',
      `/v1/admin/webhooks/${subscription.id}/deliveries/${first.id}/redrive`,
      { token: admin },
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DELIVERY_NOT_FAILED');
    expect((await deliveries('?status=failed')).body).toHaveLength(1);

    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/stockhold_webhook_deliveries_total\{outcome="dead_lettered"\} [1-9]/);
    expect(metrics).toMatch(/stockhold_webhook_deliveries_total\{outcome="redelivered"\} [1-9]/);
    expect(metrics).toMatch(/stockhold_webhook_dead_letters_total [1-9]/);
    expect(metrics).toMatch(/stockhold_webhook_delivery_lag_seconds_count [1-9]/);
  }, 40_000);
});
