import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisConnections } from '../common/redis/redis-connections';
import { withTimeout } from '../common/with-timeout';
import { AppConfig } from '../config/app-config';
import { Store } from '../store/store';
import type { WaitlistNotice } from '../store/waitlist.types';
import { decodeWaitlistMessage, encodeWaitlistMessage } from './waitlist-notice.codec';
import { WaitlistMetrics } from './waitlist.metrics';

export type WaitlistNoticeListener = (notice: WaitlistNotice) => void;

const SUBSCRIBE_WAIT_MS = 1500;

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
  readonly channel: string;
  private readonly listeners: WaitlistNoticeListener[] = [];
  private subscriber?: Redis;
  private subscribed?: Promise<unknown>;
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly store: Store,
    private readonly metrics: WaitlistMetrics,
  ) {
    this.channel = `${config.queuePrefix}:waitlist`;
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
    if (!this.config.stockBusEnabled || this.subscriber) return;
    const subscriber = this.redis.create('bus');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    this.subscribed = subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.warn(`waitlist bus subscription failed: ${(error as Error).message}`);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.subscribed) return;
    await withTimeout(this.subscribed, SUBSCRIBE_WAIT_MS, 'waitlist bus subscribe').catch(() => {
      this.logger.warn('waitlist bus not subscribed yet; remote offers reach streams later');
    });
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.listeners.length = 0;
  }

  private publish(notices: WaitlistNotice[]): void {
    if (this.closing || !this.config.stockBusEnabled) return;
    const message = encodeWaitlistMessage({ origin: this.instanceId, notices });
    this.redis.commands.publish(this.channel, message).catch((error: unknown) => {
      this.logger.debug(`waitlist notices not published: ${(error as Error).message}`);
    });
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
