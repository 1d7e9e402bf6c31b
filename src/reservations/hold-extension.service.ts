import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { CartGroupView } from '../store/cart.types';
import { Store } from '../store/store';
import type { Reservation } from '../store/store.types';

/**
 * Extending holds, one or a whole cart: the new expiry is min(now + RESERVATION_TTL_SECONDS,
 * createdAt + MAX_HOLD_LIFETIME_SECONDS), at most MAX_HOLD_EXTENSIONS times per hold, so no
 * shopper can sit on stock through a whole sale. Every request is counted by result.
 */
@Injectable()
export class HoldExtensionService {
  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  extendReservation(userId: string, reservationId: string): Promise<Reservation> {
    return this.counted(() =>
      this.store.extendReservation({ reservationId, userId, ...this.limits() }),
    );
  }

  extendGroup(userId: string, groupId: string): Promise<CartGroupView> {
    return this.counted(() => this.store.extendGroup({ groupId, userId, ...this.limits() }));
  }

  private limits() {
    return {
      now: this.clock.now(),
      ttlMs: this.config.reservationTtlSeconds * 1000,
      maxLifetimeMs: this.config.maxHoldLifetimeSeconds * 1000,
      maxExtensions: this.config.maxHoldExtensions,
    };
  }

  private async counted<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.metrics.holdExtensions.inc({ result: 'extended' });
      return result;
    } catch (error) {
      const result = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
      this.metrics.holdExtensions.inc({ result });
      throw error;
    }
  }
}
