import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Store } from '../../store/store';
import { toSearchDocument } from '../search-document';
import { SearchSyncCounters, type SyncPath } from './search-sync.counters';

export interface SyncOutcome {
  /** The inventory version written (or already shown); null when the variant does not exist. */
  version: number | null;
  /**
   * False when the inventory moved on while this sync ran, so needsSync stayed set: that newer
   * version still has to be synced.
   */
  settled: boolean;
}

/**
 * Brings one variant's search document up to date (docs/architecture.md §5). Safe to run anywhere, any number
 * of times, concurrently: the write only replaces an older version, and needsSync is only
 * cleared while the inventory is still at the version written. The queue worker and the needsSync
 * sweeper's direct path both use it.
 */
@Injectable()
export class SearchSyncService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly counters: SearchSyncCounters,
  ) {}

  async sync(variantId: string, path: SyncPath): Promise<SyncOutcome> {
    // The store reads from the primary: a sync must never index a version older than it was told about.
    const [variant, inventory] = await Promise.all([
      this.store.getVariant(variantId),
      this.store.getInventory(variantId),
    ]);
    if (!variant || !inventory) return { version: null, settled: true };
    await this.store.upsertSearchDocuments([
      toSearchDocument(variant, inventory, this.clock.now()),
    ]);
    // Even when the write was refused as not newer, the index shows this version or a later one,
    // so the flag for this version may go.
    const settled =
      !inventory.needsSync || (await this.store.clearNeedsSync(variantId, inventory.version));
    this.counters.syncs.inc({ path });
    return { version: inventory.version, settled };
  }
}
