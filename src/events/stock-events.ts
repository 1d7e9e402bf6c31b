import { Injectable, Logger } from '@nestjs/common';

/** The figures after a change, when the code that made it has them. */
export interface StockFigures {
  availableStock: number;
  version: number;
}

export type StockChangeListener = (
  variantId: string,
  figures?: StockFigures,
) => void | Promise<void>;

/**
 * After-commit notifications of stock and variant changes. The search sync subscribes to enqueue
 * a sync job; a listener's failure is logged and never fails the change that was already committed
 * (the durable needsSync flag covers anything a listener drops).
 */
@Injectable()
export class StockEvents {
  private readonly logger = new Logger(StockEvents.name);
  private readonly listeners: StockChangeListener[] = [];

  subscribe(listener: StockChangeListener): void {
    this.listeners.push(listener);
  }

  emit(variantId: string, figures?: StockFigures): void {
    for (const listener of this.listeners) {
      try {
        const pending = listener(variantId, figures);
        if (pending) pending.catch((error: unknown) => this.report(variantId, error));
      } catch (error) {
        this.report(variantId, error);
      }
    }
  }

  private report(variantId: string, error: unknown): void {
    this.logger.warn(
      `stock change listener failed for ${variantId}: ${(error as Error)?.message ?? error}`,
    );
  }
}
