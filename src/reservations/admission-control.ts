import { Injectable } from '@nestjs/common';
import {
  AdmissionQueueFullError,
  RequestDeadlineExceededError,
} from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';

interface Waiter {
  /** Hands the write slot over; called once, and only while the waiter is still queued. */
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

interface Lane {
  running: number;
  /** In arrival order: the slot always goes to the longest-waiting request. */
  waiting: Waiter[];
}

/**
 * Hot-variant admission control: at most HOT_VARIANT_CONCURRENCY store writes per variant run at
 * once in this process; the rest wait their turn in arrival order (which also keeps the sale fair).
 * The hot inventory document serialises its writers, so more concurrent transactions on it would
 * only fail with WriteConflict and retry (docs/architecture.md, "Admission control and deadlines").
 *
 * The wait is bounded twice: at most ADMISSION_QUEUE_LIMIT requests wait per variant (one more is
 * refused at once), and a waiter whose deadline passes leaves the queue with a 503 and never runs
 * its work later. A request that finds a free slot takes it with no timer and no promise of its
 * own: only waits that actually queue pay for one.
 */
@Injectable()
export class AdmissionControl {
  private readonly lanes = new Map<string, Lane>();
  private readonly limit: number;
  private readonly queueLimit: number;

  constructor(config: AppConfig) {
    this.limit = config.hotVariantConcurrency;
    this.queueLimit = config.admissionQueueLimit;
  }

  /**
   * Runs work once a write slot for `key` is free.
   * @param deadline a `performance.now()` time; a request still waiting then gets
   *   RequestDeadlineExceededError. Work that has started is not interrupted here.
   * @throws AdmissionQueueFullError at once when ADMISSION_QUEUE_LIMIT requests already wait.
   */
  async run<T>(key: string, deadline: number, work: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running < this.limit) {
      lane.running += 1;
    } else {
      // On success the slot was passed over by release(): `running` already counts it.
      await this.waitForSlot(key, lane, deadline);
    }
    try {
      return await work();
    } finally {
      this.release(key, lane);
    }
  }

  /** Requests currently waiting for a slot, over all variants. */
  get queued(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.waiting.length;
    return total;
  }

  private waitForSlot(key: string, lane: Lane, deadline: number): Promise<void> {
    if (lane.waiting.length >= this.queueLimit) {
      return Promise.reject(new AdmissionQueueFullError(key));
    }
    const remainingMs = deadline - performance.now();
    if (remainingMs <= 0) return Promise.reject(new RequestDeadlineExceededError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: undefined,
      };
      // Granting and timing out both run synchronously and the first one takes the waiter out of
      // the queue, so a waiter is either granted or timed out, never both.
      waiter.timer = setTimeout(() => {
        const index = lane.waiting.indexOf(waiter);
        if (index !== -1) lane.waiting.splice(index, 1);
        reject(new RequestDeadlineExceededError());
      }, remainingMs);
      lane.waiting.push(waiter);
    });
  }

  private release(key: string, lane: Lane): void {
    const next = lane.waiting.shift();
    if (next) {
      // The slot passes straight to the next waiter; `running` stays the same.
      next.grant();
      return;
    }
    lane.running -= 1;
    if (lane.running === 0) this.lanes.delete(key);
  }
}
