import { EventStreamWriter } from '../common/http/event-stream';
import type { WaitlistNotice } from '../store/waitlist.types';

/** Notices a slow reader may owe before the oldest are dropped (GET shows the entry anyway). */
const MAX_WAITING = 50;

/**
 * One shopper's open waitlist stream (Server-Sent Events): `event:` + `data:` lines and
 * heartbeats (src/common/http/event-stream.ts); on a congested socket the notices wait for
 * `drain`, at most MAX_WAITING of them, so memory per stream stays small.
 */
export class WaitlistStream extends EventStreamWriter {
  private readonly waiting: string[] = [];

  send(notice: WaitlistNotice): void {
    const message = `event: ${notice.type}\ndata: ${JSON.stringify(payload(notice))}\n\n`;
    if (this.congested) {
      this.waiting.push(message);
      if (this.waiting.length > MAX_WAITING) this.waiting.shift();
      return;
    }
    this.write(message);
  }

  protected drained(): void {
    while (!this.congested && this.waiting.length > 0) this.write(this.waiting.shift()!);
  }
}

/** What the shopper is told: never the user id (the stream is theirs). */
export function payload(notice: WaitlistNotice): Record<string, unknown> {
  const about = { entryId: notice.entryId, variantId: notice.variantId };
  switch (notice.type) {
    case 'offer':
      return {
        ...about,
        reservationId: notice.reservationId,
        quantity: notice.quantity,
        expiresAt: notice.expiresAt.toISOString(),
      };
    case 'skipped':
      return { ...about, reason: notice.reason };
    case 'expired':
      return about;
  }
}
