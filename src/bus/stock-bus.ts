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

  /** Sends one change; never throws, never waits. */
  publish(variantId: string, figures?: StockFigures): void {
    if (this.closing) return;
    const message = encodeStockChange({
      variantId,
      ...pickFigures(figures),
      origin: this.instanceId,
    });
    void this.channel.publish(message).then((sent) => {
      if (sent) this.metrics.published.inc();
      else this.metrics.publishFailures.inc();
    });
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
    // RedisConnections closes the connections; nothing more is sent or received meanwhile.
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
