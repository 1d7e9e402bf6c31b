import type { ServerResponse } from 'node:http';
import type { StockFigures } from '../events/stock-events';

/**
 * One open Server-Sent Events connection for one variant. It only ever owes the client the
 * latest figures: when the socket is congested (a slow reader), newer figures replace the ones
 * waiting, and the latest goes out on `drain` — memory per stream stays constant.
 */
export class LiveStream {
  /** The version the client has last been sent (or said it saw, through Last-Event-ID). */
  private sentVersion: number;
  private waiting?: StockFigures;
  private congested = false;

  constructor(
    private readonly variantId: string,
    private readonly response: ServerResponse,
    lastSeenVersion: number,
  ) {
    this.sentVersion = lastSeenVersion;
    response.on('drain', () => this.drained());
  }

  /** Sends figures newer than what the client has; older or equal ones are dropped. */
  send(figures: StockFigures): void {
    if (figures.version <= this.sentVersion) return;
    if (this.congested) {
      this.waiting = figures;
      return;
    }
    this.sentVersion = figures.version;
    const data = JSON.stringify({
      variantId: this.variantId,
      availableStock: figures.availableStock,
      version: figures.version,
    });
    this.write(`id: ${figures.version}\nevent: availability\ndata: ${data}\n\n`);
  }

  /** A comment line: clients ignore it, proxies and the idle timeout see traffic. */
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
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) this.send(waiting);
  }
}
