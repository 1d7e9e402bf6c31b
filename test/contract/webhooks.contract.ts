import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOfMovement, type StockEvent } from '../../src/events/stock-event-rules';
import type { Store } from '../../src/store/store';
import type { StoreFixture } from './store.contract';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;

/**
 * Webhook persistence on every store (docs/webhooks.md): subscriptions, the publisher's progress
 * per variant, delivery lanes and dead letters. Other tests may share the database, so each test
 * looks only at what it made.
 */
export function describeWebhooksContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Webhooks contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const newVariant = async (stock: number): Promise<string> =>
      (await store.createVariant({ sku: unique('WH'), title: 'Hook', price: 100, stock }, T0))
        .variant.id;
    const subscribe = (url = 'https://example.com/hook') =>
      store.createWebhookSubscription({
        url,
        events: ['stock.changed', 'stock.sold_out'],
        secret: unique('secret'),
        createdAt: T0,
      });
    const eventOf = async (variantId: string): Promise<StockEvent> => {
      const [movement] = await store.listMovements({ variantId, afterSeq: 0, limit: 1 });
      return eventsOfMovement(movement, undefined)[0];
    };

    it('keeps subscriptions, lists them oldest first, deletes them with their lanes and dead letters', async () => {
      const first = await subscribe('https://example.com/a');
      const second = await subscribe('https://example.com/b');
      expect(first.id).toMatch(/^[0-9a-f]{24}$/);
      expect(await store.getWebhookSubscription(first.id)).toEqual(first);
      const listed = (await store.listWebhookSubscriptions()).filter((s) =>
        [first.id, second.id].includes(s.id),
      );
      expect(listed).toEqual([first, second]);

      const variantId = await newVariant(1);
      await store.publishToWebhookLane(first.id, variantId, 4, 4);
      const dead = await store.recordWebhookDeadLetter({
        subscriptionId: first.id,
        event: await eventOf(variantId),
        attempts: 3,
        lastError: 'HTTP 500',
        now: at(1),
      });
      expect(await store.deleteWebhookSubscription(first.id)).toBe(true);
      expect(await store.deleteWebhookSubscription(first.id)).toBe(false);
      expect(await store.getWebhookSubscription(first.id)).toBeNull();
      expect(await store.getWebhookLane(first.id, variantId)).toBeNull();
      expect(await store.getWebhookDelivery(dead.id)).toBeNull();
      expect(await store.getWebhookSubscription(second.id)).toEqual(second);
      expect(await store.getWebhookSubscription('0123456789abcdef01234567')).toBeNull();
    });

    it('finds variants whose ledger is past the published seq; progress only moves forward', async () => {
      const variantId = await newVariant(5);
      const other = await newVariant(5);
      expect(await store.findVariantsToPublish(10, [variantId])).toEqual([
        { variantId, version: 1, publishedSeq: 0 },
      ]);
      await store.adjustStock({ variantId, delta: 1, now: at(1) });
      await store.savePublishedSeq(variantId, 1);
      const both = await store.findVariantsToPublish(10, [variantId, other]);
      expect(
        both.sort((a, b) => (a.variantId === variantId ? -1 : b.variantId === variantId ? 1 : 0)),
      ).toEqual([
        { variantId, version: 2, publishedSeq: 1 },
        { variantId: other, version: 1, publishedSeq: 0 },
      ]);
      await store.savePublishedSeq(variantId, 2);
      await store.savePublishedSeq(variantId, 1);
      expect(await store.findVariantsToPublish(10, [variantId])).toEqual([]);
      // Without ids: every variant behind, within the limit.
      const all = await store.findVariantsToPublish(1000);
      expect(all.map((v) => v.variantId)).toContain(other);
      expect(all.map((v) => v.variantId)).not.toContain(variantId);
      expect(await store.findVariantsToPublish(1)).toHaveLength(1);
    });

    it('lanes: a new one starts just before its first event; positions only move forward', async () => {
      const subscription = await subscribe();
      const variantId = await newVariant(2);
      expect(await store.getWebhookLane(subscription.id, variantId)).toBeNull();
      await store.publishToWebhookLane(subscription.id, variantId, 8, 12);
      expect(await store.getWebhookLane(subscription.id, variantId)).toEqual({
        subscriptionId: subscription.id,
        variantId,
        settled: 7,
        published: 12,
      });
      let behind = await store.findWebhookLanesBehind(1000);
      expect(behind.some((lane) => lane.variantId === variantId)).toBe(true);

      await store.publishToWebhookLane(subscription.id, variantId, 16, 10);
      await store.settleWebhookLane(subscription.id, variantId, 12);
      await store.settleWebhookLane(subscription.id, variantId, 9);
      expect(await store.getWebhookLane(subscription.id, variantId)).toMatchObject({
        settled: 12,
        published: 12,
      });
      behind = await store.findWebhookLanesBehind(1000);
      expect(behind.some((lane) => lane.variantId === variantId)).toBe(false);
    });

    it('dead letters: one per (subscription, event), listed newest first, re-driven by conditional transitions', async () => {
      const subscription = await subscribe();
      const variantId = await newVariant(3);
      await store.adjustStock({ variantId, delta: -3, now: at(1) });
      const [created, soldOut] = await store.listMovements({ variantId, afterSeq: 0, limit: 2 });
      const firstEvent = eventsOfMovement(created, undefined)[0];
      const secondEvent = eventsOfMovement(soldOut, undefined)[1];
      expect(secondEvent.type).toBe('stock.sold_out');

      const first = await store.recordWebhookDeadLetter({
        subscriptionId: subscription.id,
        event: firstEvent,
        attempts: 4,
        lastError: 'HTTP 500',
        now: at(10),
      });
      expect(first).toMatchObject({
        subscriptionId: subscription.id,
        eventId: firstEvent.id,
        event: firstEvent,
        status: 'failed',
        attempts: 4,
        lastError: 'HTTP 500',
        failedAt: at(10),
      });
      const second = await store.recordWebhookDeadLetter({
        subscriptionId: subscription.id,
        event: secondEvent,
        attempts: 1,
        lastError: 'timeout',
        now: at(20),
      });
      const list = (status?: 'failed' | 'redriving' | 'delivered') =>
        store.listWebhookDeliveries(subscription.id, status, 10);
      expect((await list('failed')).map((d) => d.id)).toEqual([second.id, first.id]);

      const redriving = await store.transitionWebhookDelivery({
        deliveryId: first.id,
        from: ['failed'],
        to: 'redriving',
        now: at(30),
      });
      expect(redriving).toMatchObject({ status: 'redriving', redrivenAt: at(30) });
      // A second re-drive of the same letter finds it no longer failed.
      expect(
        await store.transitionWebhookDelivery({
          deliveryId: first.id,
          from: ['failed'],
          to: 'redriving',
          now: at(31),
        }),
      ).toBeNull();
      const delivered = await store.transitionWebhookDelivery({
        deliveryId: first.id,
        from: ['redriving'],
        to: 'delivered',
        now: at(40),
        attempts: 1,
      });
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 5, deliveredAt: at(40) });
      expect((await list('failed')).map((d) => d.id)).toEqual([second.id]);
      expect((await list()).map((d) => d.id).sort()).toEqual([first.id, second.id].sort());
      expect(await store.getWebhookDelivery(first.id)).toEqual(delivered);

      // Dead-lettered again (a replay that failed its own bound): the same record, attempts add up.
      const again = await store.recordWebhookDeadLetter({
        subscriptionId: subscription.id,
        event: firstEvent,
        attempts: 2,
        lastError: 'HTTP 502',
        now: at(50),
      });
      expect(again).toMatchObject({ id: first.id, status: 'failed', attempts: 7 });
    });
  });
}
