import type { ServerResponse } from 'node:http';
import { EventStreamWriter } from '../common/http/event-stream';
import type { StockFigures } from '../events/stock-events';

/** One availability message, framed once and written as it is to every stream of its variant. */
export interface AvailabilityMessage {
  version: number;
  frame: string;
}

/** The Server-Sent Events frame of a variant's figures (`id` is the version, for Last-Event-ID). */
export function availabilityMessage(variantId: string, figures: StockFigures): AvailabilityMessage {
  const data = JSON.stringify({
    variantId,
    availableStock: figures.availableStock,
    version: figures.version,
  });
  return {
    version: figures.version,
    frame: `id: ${figures.version}\nevent: availability\ndata: ${data}\n\n`,
  };
}

/**
 * One open Server-Sent Events connection for one variant. It only ever owes the client the
 * latest figures: when the socket is congested (a slow reader), newer figures replace the ones
 * waiting, and the latest goes out on `drain` — memory per stream stays constant.
 */
export class LiveStream extends EventStreamWriter {
  /** The version the client has last been sent (or said it saw, through Last-Event-ID). */
  private sentVersion: number;
  private waiting?: AvailabilityMessage;

  constructor(response: ServerResponse, lastSeenVersion: number) {
    super(response);
    this.sentVersion = lastSeenVersion;
  }

  /** Sends a message newer than what the client has; older or equal ones are dropped. */
  send(message: AvailabilityMessage): void {
    if (message.version <= this.sentVersion) return;
    if (this.congested) {
      this.waiting = message;
      return;
    }
    this.sentVersion = message.version;
    this.write(message.frame);
  }

  protected drained(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) this.send(waiting);
  }
}
