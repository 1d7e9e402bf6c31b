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
import { Store } from '../store/store';
import type { WaitlistNotice } from '../store/waitlist.types';
import { decodeWaitlistMessage, encodeWaitlistMessage } from './waitlist-notice.codec';
import { WaitlistMetrics } from './waitlist.metrics';

export type WaitlistNoticeListener = (notice: WaitlistNotice) => void;

/**
 * What happens to waitlist entries (offers, skips, expiries), for every instance's waitlist
 * streams. Set up in every process (CoreModule), since offers are made wherever units are freed:
 * an API instance's release or the worker's expiry sweep.
 *
 * At boot it gives the store its hand-over policy (WAITLIST_OFFER_TTL_SECONDS,
 * MAX_ACTIVE_RESERVATIONS). Then each committed batch of notices goes to this process's listeners
 * and, as one PUBLISH on `<QUEUE_PREFIX>:waitlist`, to the other instances (fire-and-forget, as
 * the stock bus: Redis away costs nothing but the remote delivery). Only processes with listeners
 * (the API) subscribe; a batch an instance sent itself is skipped, its listeners had it already.
 * Pub/sub is at most once: a shopper who misses a notice still finds the offer in their
 * reservations and their entry's status on GET.
 */
@Injectable()
export class WaitlistBus implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WaitlistBus.name);
  readonly instanceId = randomUUID();
  private readonly channel: PubSubChannel;
  private readonly listeners: WaitlistNoticeListener[] = [];
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    redis: RedisConnections,
    private readonly store: Store,
    private readonly metrics: WaitlistMetrics,
  ) {
    this.channel = new PubSubChannel(redis, `${config.queuePrefix}:waitlist`, this.logger);
  }

  onModuleInit(): void {
    this.store.configureWaitlist({
      offerTtlMs: this.config.waitlistOfferTtlSeconds * 1000,
      maxActiveReservations: this.config.maxActiveReservations,
    });
    this.store.onWaitlistNotices((notices) => {
      for (const notice of notices) this.metrics.notices.inc({ type: notice.type });
      this.deliver(notices);
      this.publish(notices);
    });
  }

  /** Calls the listener with every notice, this process's and (with the bus on) every other's. */
  onNotice(listener: WaitlistNoticeListener): void {
    this.listeners.push(listener);
    if (this.config.stockBusEnabled) this.channel.subscribe((message) => this.receive(message));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.channel.waitUntilSubscribed('remote offers reach streams later');
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.listeners.length = 0;
  }

  private publish(notices: WaitlistNotice[]): void {
    if (this.closing || !this.config.stockBusEnabled) return;
    const message = encodeWaitlistMessage({ origin: this.instanceId, notices });
    void this.channel.publish(message);
  }

  private receive(text: string): void {
    const message = decodeWaitlistMessage(text);
    if (!message || message.origin === this.instanceId) return;
    this.deliver(message.notices);
  }

  private deliver(notices: WaitlistNotice[]): void {
    for (const notice of notices) {
      for (const listener of this.listeners) {
        try {
          listener(notice);
        } catch (error) {
          this.logger.warn(`waitlist listener failed: ${(error as Error).message}`);
        }
      }
    }
  }
}
