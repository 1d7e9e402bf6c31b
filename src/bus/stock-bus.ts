import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { PubSubChannel } from '../common/redis/pubsub-channel';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { StockEvents, type StockFigures } from '../events/stock-events';
import { StockBusMetrics } from './stock-bus.metrics';
import { decodeStockChange, encodeStockChange, type StockChange } from './stock-change';

export type RemoteChangeListener = (change: StockChange) => void;

/**
 * Stock changes shared by every instance over Redis pub/sub, on `<QUEUE_PREFIX>:stock-changes`.
 *
 * Publishing: every committed change this process makes (StockEvents) is sent as one PUBLISH on
 * the shared request-path client, fire-and-forget: nothing waits for it, and with Redis away the
 * client refuses at once (no offline queue), so the hot path never slows down. A refusal is
 * counted; the outage itself is logged once by RedisConnections.
 *
 * Receiving: only processes that ask for remote changes (the API: its sold-out gate and live
 * streams) open the dedicated subscriber connection. Changes an instance published itself are
 * skipped, since it applied them before publishing. Pub/sub delivers at most once: a change sent
 * while a subscriber is disconnected is lost, which is why the sold-out gate keeps its TTL.
 */
@Injectable()
export class StockBus implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StockBus.name);
  /** This process's id on the bus. */
  readonly instanceId = randomUUID();
  private readonly channel: PubSubChannel;
  private readonly listeners: RemoteChangeListener[] = [];
  /** Changes of this turn of the event loop, by variant, sent together at its end. */
  private readonly pending = new Map<string, StockChange>();
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    redis: RedisConnections,
    private readonly stockEvents: StockEvents,
    private readonly metrics: StockBusMetrics,
  ) {
    this.channel = new PubSubChannel(redis, `${config.queuePrefix}:stock-changes`, this.logger);
  }

  onModuleInit(): void {
    if (!this.config.stockBusEnabled) return;
    this.stockEvents.subscribe((variantId, figures) => this.publish(variantId, figures));
  }

  /**
   * Sends a change; never throws, never waits. Changes are sent once per turn of the event loop,
   * one message per variant with its newest figures: a hot variant taking thousands of holds a
   * second costs Redis one PUBLISH per turn, not one per hold, and receivers only ever act on
   * the newest figures (the gate and the streams compare versions). A change without figures
   * ("stock may be back") is never merged away: it goes out as is.
   */
  publish(variantId: string, figures?: StockFigures): void {
    if (this.closing) return;
    const change: StockChange = { variantId, ...pickFigures(figures), origin: this.instanceId };
    const queued = this.pending.get(variantId);
    this.pending.set(variantId, queued ? newest(queued, change) : change);
    if (this.pending.size === 1 && !queued) setImmediate(() => this.flush());
  }

  private flush(): void {
    const changes = [...this.pending.values()];
    this.pending.clear();
    for (const change of changes) {
      void this.channel.publish(encodeStockChange(change)).then((sent) => {
        if (sent) this.metrics.published.inc();
        else this.metrics.publishFailures.inc();
      });
    }
  }

  /**
   * Calls the listener with every change another instance publishes. The first listener opens
   * the subscriber connection (providers register in their constructors or onModuleInit).
   */
  onRemoteChange(listener: RemoteChangeListener): void {
    if (!this.config.stockBusEnabled) return;
    this.listeners.push(listener);
    this.channel.subscribe(
      (message) => this.receive(message),
      (up) => this.metrics.connected.set(up ? 1 : 0),
    );
  }

  /** Waits (briefly) for the subscription, so the instance hears its peers from its first request. */
  async onApplicationBootstrap(): Promise<void> {
    await this.channel.waitUntilSubscribed('the sold-out gate TTL covers the gap');
  }

  onApplicationShutdown(): void {
    // What this turn changed still goes out; RedisConnections then closes the connections, and
    // nothing more is sent or received meanwhile.
    this.flush();
    this.closing = true;
    this.listeners.length = 0;
  }

  private receive(message: string): void {
    const change = decodeStockChange(message);
    if (!change) {
      this.metrics.received.inc({ result: 'malformed' });
      return;
    }
    if (change.origin === this.instanceId) return;
    this.metrics.received.inc({ result: 'applied' });
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.warn(`stock bus listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function pickFigures(figures?: StockFigures): Partial<StockFigures> {
  return figures ? { availableStock: figures.availableStock, version: figures.version } : {};
}

/**
 * The change to send of two for one variant: one without figures wins (receivers re-read, which
 * is always safe), else the newer version.
 */
function newest(queued: StockChange, next: StockChange): StockChange {
  if (queued.version === undefined) return queued;
  if (next.version === undefined) return next;
  return next.version >= queued.version ? next : queued;
}
