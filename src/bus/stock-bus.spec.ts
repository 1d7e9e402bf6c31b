import { describe, expect, it } from 'vitest';
import type { RedisConnections } from '../common/redis/redis-connections';
import { loadConfig } from '../config/app-config';
import { StockEvents } from '../events/stock-events';
import { MetricsService } from '../metrics/metrics.service';
import type { Store } from '../store/store';
import { StockBus } from './stock-bus';
import { StockBusMetrics } from './stock-bus.metrics';
import { decodeStockChange, encodeStockChange } from './stock-change';

const VARIANT = '0123456789abcdef01234567';

function busWith(publish: (channel: string, message: string) => Promise<number>) {
  const events = new StockEvents();
  const metrics = new StockBusMetrics(new MetricsService({} as Store, undefined as never));
  const redis = { commands: { publish } } as unknown as RedisConnections;
  const bus = new StockBus(loadConfig({ QUEUE_PREFIX: 'shop-a' }), redis, events, metrics);
  bus.onModuleInit();
  return { bus, events, metrics };
}

describe('StockBus publishing', () => {
  it('publishes one message per committed change on <QUEUE_PREFIX>:stock-changes', async () => {
    const sent: Array<[string, string]> = [];
    const { bus, events, metrics } = busWith(async (channel, message) => {
      sent.push([channel, message]);
      return 1;
    });
    events.emit(VARIANT, { availableStock: 0, version: 7 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toBe('shop-a:stock-changes');
    expect(decodeStockChange(sent[0][1])).toEqual({
      variantId: VARIANT,
      availableStock: 0,
      version: 7,
      origin: bus.instanceId,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect((await metrics.published.get()).values[0].value).toBe(1);
  });

  it('sends one message per variant per turn of the event loop, with its newest figures', async () => {
    const sent: string[] = [];
    const { events } = busWith(async (_channel, message) => {
      sent.push(message);
      return 1;
    });
    const OTHER = 'fedcba9876543210fedcba98';
    events.emit(VARIANT, { availableStock: 3, version: 5 });
    events.emit(VARIANT, { availableStock: 1, version: 7 });
    events.emit(VARIANT, { availableStock: 2, version: 6 });
    events.emit(OTHER, { availableStock: 9, version: 2 });
    expect(sent).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    const changes = sent.map((message) => decodeStockChange(message));
    expect(changes.map((change) => [change?.variantId, change?.version])).toEqual([
      [VARIANT, 7],
      [OTHER, 2],
    ]);
    // The next turn's changes go out in the next turn's message.
    events.emit(VARIANT, { availableStock: 0, version: 8 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(decodeStockChange(sent[2])?.version).toBe(8);
  });

  it('never merges away a change without figures (receivers then re-read)', async () => {
    const sent: string[] = [];
    const { events } = busWith(async (_channel, message) => {
      sent.push(message);
      return 1;
    });
    events.emit(VARIANT, { availableStock: 0, version: 7 });
    events.emit(VARIANT);
    events.emit(VARIANT, { availableStock: 0, version: 9 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    expect(decodeStockChange(sent[0])?.availableStock).toBeUndefined();
  });

  it('never throws nor waits when Redis refuses: the failure is counted', async () => {
    const { events, metrics } = busWith(() => Promise.reject(new Error('Connection is closed.')));
    expect(() => events.emit(VARIANT)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await metrics.publishFailures.get()).values[0].value).toBe(1);
  });
});

describe('stock change messages', () => {
  it('round-trip, and a change without figures stays without them', () => {
    const change = { variantId: VARIANT, origin: 'i-1' };
    expect(decodeStockChange(encodeStockChange(change))).toEqual(change);
  });

  it('refuse anything malformed instead of trusting it', () => {
    for (const message of [
      'not json',
      'null',
      JSON.stringify({ variantId: 'x', origin: 'i' }),
      JSON.stringify({ variantId: VARIANT }),
    ]) {
      expect(decodeStockChange(message)).toBeUndefined();
    }
    // Half the figures (or non-integers) are no figures: receivers treat it as "may be back".
    expect(
      decodeStockChange(JSON.stringify({ variantId: VARIANT, origin: 'i', availableStock: 1.5 })),
    ).toEqual({ variantId: VARIANT, origin: 'i' });
  });
});
