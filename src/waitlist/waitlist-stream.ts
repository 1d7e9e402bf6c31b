import type { ServerResponse } from 'node:http';
import type { WaitlistNotice } from '../store/waitlist.types';

/** Notices a slow reader may owe before the oldest are dropped (GET shows the entry anyway). */
const MAX_WAITING = 50;

/**
 * One shopper's open waitlist stream (Server-Sent Events), written as src/live's streams are:
 * `event:` + `data:` lines, `: heartbeat` comments, and on a congested socket the messages wait
 * for `drain` (bounded, so memory per stream stays small).
 */
export class WaitlistStream {
  private readonly waiting: string[] = [];
  private congested = false;

  constructor(private readonly response: ServerResponse) {
    response.on('drain', () => this.drained());
  }

  send(notice: WaitlistNotice): void {
    const message = `event: ${notice.type}\ndata: ${JSON.stringify(payload(notice))}\n\n`;
    if (this.congested) {
      this.waiting.push(message);
      if (this.waiting.length > MAX_WAITING) this.waiting.shift();
      return;
    }
    this.write(message);
  }

  heartbeat(): void {
    if (!this.congested) this.write(': heartbeat\n\n');
  }

  end(): void {
    this.response.end();
  }

  private write(text: string): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    if (!this.response.write(text)) this.congested = true;
  }

  private drained(): void {
    this.congested = false;
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
