import type { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { withTimeout } from '../with-timeout';
import type { RedisConnections } from './redis-connections';

/** How long the boot waits for a subscription; a Redis that is down does not hold it up. */
const SUBSCRIBE_WAIT_MS = 1500;

/**
 * One Redis pub/sub channel shared by every instance (the stock bus, the waitlist's notices).
 *
 * Publishing goes through the shared request-path client, fire-and-forget: nothing waits for it,
 * and with Redis away that client refuses at once (no offline queue), so no caller slows down.
 * Receiving opens a dedicated subscriber connection, once, on the first `subscribe`; ioredis
 * subscribes again by itself after a reconnect (autoResubscribe). Pub/sub delivers at most once:
 * a message sent while a subscriber is disconnected is lost, and each user says what covers that.
 */
export class PubSubChannel {
  private subscriber?: Redis;
  private subscribed?: Promise<unknown>;

  constructor(
    private readonly redis: RedisConnections,
    /** The Redis channel, `<QUEUE_PREFIX>:<name>`. */
    readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** Sends one message; resolves true once Redis took it, false when it was refused. Never throws. */
  publish(message: string): Promise<boolean> {
    return this.redis.commands.publish(this.name, message).then(
      () => true,
      (error: unknown) => {
        this.logger.debug(`${this.name}: not published: ${(error as Error).message}`);
        return false;
      },
    );
  }

  /**
   * Calls `receive` with every message on the channel (this process's own included: callers skip
   * them by origin), and `connected` as the subscriber connection comes and goes. Only the first
   * call opens the connection; later ones are ignored.
   */
  subscribe(receive: (message: string) => void, connected?: (up: boolean) => void): void {
    if (this.subscriber) return;
    const subscriber = this.redis.create('bus');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.name) receive(message);
    });
    this.subscribed = subscriber.subscribe(this.name).catch((error: unknown) => {
      this.logger.warn(`${this.name}: subscription failed: ${(error as Error).message}`);
    });
    if (connected) {
      subscriber.on('ready', () => connected(true));
      subscriber.on('close', () => connected(false));
    }
  }

  /** Waits (briefly) for the subscription at boot, so the instance hears its peers from the start. */
  async waitUntilSubscribed(late: string): Promise<void> {
    if (!this.subscribed) return;
    await withTimeout(this.subscribed, SUBSCRIBE_WAIT_MS, `${this.name} subscribe`).catch(() => {
      this.logger.warn(`${this.name}: not subscribed yet; ${late}`);
    });
  }
}
