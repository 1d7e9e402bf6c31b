import { Injectable, Logger } from '@nestjs/common';

export type StockChangeListener = (variantId: string) => void | Promise<void>;

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

  emit(variantId: string): void {
    for (const listener of this.listeners) {
      try {
        const pending = listener(variantId);
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
