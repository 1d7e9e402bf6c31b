import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

interface Lane {
  running: number;
  waiting: Array<() => void>;
}

/**
 * Hot-variant admission control: at most HOT_VARIANT_CONCURRENCY store writes per variant run at
 * once in this process; the rest wait their turn in arrival order (which also keeps the sale fair).
 * Ten thousand concurrent transactions on one inventory document would mostly fail with
 * WriteConflict and retry; queueing them here keeps the retries from storming.
 */
@Injectable()
export class AdmissionControl {
  private readonly lanes = new Map<string, Lane>();
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.hotVariantConcurrency;
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running >= this.limit) {
      await new Promise<void>((resolve) => lane!.waiting.push(resolve));
    } else {
      lane.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = lane.waiting.shift();
      if (next) {
        // The slot passes straight to the next waiter; `running` stays the same.
        next();
      } else {
        lane.running -= 1;
        if (lane.running === 0) this.lanes.delete(key);
      }
    }
  }

  /** Requests currently waiting for a slot, over all variants. */
  get queued(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.waiting.length;
    return total;
  }
}
