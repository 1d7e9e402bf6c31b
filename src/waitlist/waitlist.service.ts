import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ValidationFailedError, WaitlistEntryNotFoundError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { Store } from '../store/store';
import type { WaitlistEntryView } from '../store/waitlist.types';

/** Joining, reading and leaving a variant's waitlist (docs/waitlist.md). */
@Injectable()
export class WaitlistService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** 409 STOCK_AVAILABLE when the variant can serve the quantity now; ALREADY_WAITING if in line. */
  join(userId: string, variantId: string, quantity: number): Promise<WaitlistEntryView> {
    if (quantity > this.config.maxQuantityPerReservation) {
      throw new ValidationFailedError(
        `quantity must be at most ${this.config.maxQuantityPerReservation}`,
      );
    }
    const now = this.clock.now();
    return this.store.joinWaitlist({
      userId,
      variantId,
      quantity,
      now,
      expiresAt: new Date(now.getTime() + this.config.waitlistTtlSeconds * 1000),
    });
  }

  async get(userId: string, variantId: string): Promise<WaitlistEntryView> {
    const entry = await this.store.getWaitlistEntry(userId, variantId, this.clock.now());
    if (!entry) throw new WaitlistEntryNotFoundError(variantId);
    return entry;
  }

  async leave(userId: string, variantId: string): Promise<void> {
    if (!(await this.store.leaveWaitlist(userId, variantId))) {
      throw new WaitlistEntryNotFoundError(variantId);
    }
  }
}
