import type { BackfillStore } from '../../src/search/backfill/backfill-engine';
import type { SearchDocument, VariantWithInventory } from '../../src/store/store.types';

export interface FakeStoreOptions {
  /** Milliseconds each listVariants call takes (to make runs overlap in time). */
  listDelayMs?: number;
  /** Throw from the n-th upsertSearchDocuments call (1-based). */
  failOnUpsertCall?: number;
  /** Answer countVariants (the progress bar's total); absent like on today's Store port. */
  countable?: boolean;
}

/** An in-memory source and sink with the Store port's semantics for the two walk operations. */
export class FakeSearchStore implements BackfillStore {
  readonly kind = 'memory' as const;
  readonly documents = new Map<string, SearchDocument>();
  readonly listCalls: Array<{ afterId: string | null; limit: number }> = [];
  upsertCalls = 0;
  countVariants?: () => Promise<number>;
  private readonly sorted: VariantWithInventory[];

  constructor(
    variants: VariantWithInventory[],
    private readonly options: FakeStoreOptions = {},
  ) {
    this.sorted = [...variants].sort((a, b) => (a.variant.id < b.variant.id ? -1 : 1));
    if (options.countable) this.countVariants = async () => this.sorted.length;
  }

  async listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    this.listCalls.push({ afterId, limit });
    if (this.options.listDelayMs) await sleep(this.options.listDelayMs);
    return this.sorted
      .filter(({ variant }) => afterId === null || variant.id > afterId)
      .slice(0, limit)
      .map((entry) => structuredClone(entry));
  }

  async upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    this.upsertCalls += 1;
    if (this.upsertCalls === this.options.failOnUpsertCall) throw new Error('the sink is down');
    let written = 0;
    for (const document of documents) {
      const stored = this.documents.get(document.variantId);
      if (stored && stored.syncedVersion >= document.syncedVersion) continue;
      this.documents.set(document.variantId, structuredClone(document));
      written += 1;
    }
    return written;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
