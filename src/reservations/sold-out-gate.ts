import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

interface Sighting {
  /** Units available when last seen; an upper bound while the entry lives. */
  available: number;
  seenAt: number;
}

/**
 * In-process memory of variants seen without enough stock, so a sold-out variant answers
 * 409 OUT_OF_STOCK without touching the store. Entries live at most SOLD_OUT_GATE_TTL_MS (≤ 1 s):
 * stock freed in another process (a release, an expiry, a restock) is visible here within that
 * time; stock freed in this process clears the entry at once.
 */
@Injectable()
export class SoldOutGate {
  private readonly sightings = new Map<string, Sighting>();
  private readonly ttlMs: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.ttlMs = config.soldOutGateTtlMs;
  }

  /** True when this variant was seen with fewer than `quantity` units within the TTL. */
  blocks(variantId: string, quantity: number): boolean {
    const sighting = this.sightings.get(variantId);
    if (!sighting) return false;
    if (this.clock.now().getTime() - sighting.seenAt >= this.ttlMs) {
      this.sightings.delete(variantId);
      return false;
    }
    return sighting.available < quantity;
  }

  /** Remembers how many units were available; only low figures are worth remembering. */
  record(variantId: string, available: number): void {
    if (this.ttlMs === 0 || available > 0) {
      this.sightings.delete(variantId);
      return;
    }
    this.sightings.set(variantId, { available, seenAt: this.clock.now().getTime() });
  }

  /** Stock came back in this process (release, expiry, restock). */
  clear(variantId: string): void {
    this.sightings.delete(variantId);
  }
}
