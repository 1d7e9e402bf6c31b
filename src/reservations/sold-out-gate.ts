import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

interface Sighting {
  /** Units available when last seen; an upper bound while the entry lives. */
  available: number;
  seenAt: number;
}

interface Newest {
  /** The highest inventory version this process has applied for the variant. */
  version: number;
  at: number;
}

/**
 * How long the newest applied version of a variant is remembered. Changes reach the gate out of
 * order only by milliseconds (two instances' bus messages racing to Redis, two local transactions
 * finishing in the other order); past this, a stale figure could close the gate for at most its TTL,
 * as before versions were compared.
 */
const NEWEST_MEMORY_MS = 10_000;
/** Past this many remembered versions, those older than NEWEST_MEMORY_MS are swept. */
const NEWEST_SWEEP_AT = 10_000;

/**
 * In-process memory of variants seen without enough stock, so a sold-out variant answers
 * 409 OUT_OF_STOCK without touching the store. Entries live at most SOLD_OUT_GATE_TTL_MS (≤ 1 s):
 * stock freed in another process (a release, an expiry, a restock) is visible here within that
 * time; stock freed in this process clears the entry at once.
 *
 * A figure given with its inventory version is applied only if it is newer than every version
 * already applied for the variant: a sell-out message (version 9) that reaches this process after
 * the release that followed it (version 10) must not close the gate on a unit that is there.
 */
@Injectable()
export class SoldOutGate {
  private readonly sightings = new Map<string, Sighting>();
  private readonly newest = new Map<string, Newest>();
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

  /**
   * Remembers how many units were available; only low figures are worth remembering. With the
   * version the figure belongs to, a figure older than one already applied is ignored.
   */
  record(variantId: string, available: number, version?: number): void {
    if (this.isStale(variantId, version)) return;
    if (this.ttlMs === 0 || available > 0) {
      this.sightings.delete(variantId);
      return;
    }
    this.sightings.set(variantId, { available, seenAt: this.clock.now().getTime() });
  }

  /** Stock came back (release, expiry, restock), at `version` when known. */
  clear(variantId: string, version?: number): void {
    if (this.isStale(variantId, version)) return;
    this.sightings.delete(variantId);
  }

  /** True for a version at or below the newest applied; otherwise remembers it as the newest. */
  private isStale(variantId: string, version: number | undefined): boolean {
    if (version === undefined) return false;
    const now = this.clock.now().getTime();
    const newest = this.newest.get(variantId);
    if (newest && now - newest.at < NEWEST_MEMORY_MS && newest.version >= version) return true;
    if (!newest && this.newest.size >= NEWEST_SWEEP_AT) this.sweep(now);
    this.newest.set(variantId, { version, at: now });
    return false;
  }

  private sweep(now: number): void {
    for (const [variantId, newest] of this.newest) {
      if (now - newest.at >= NEWEST_MEMORY_MS) this.newest.delete(variantId);
    }
  }
}
