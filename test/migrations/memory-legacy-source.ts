import type {
  LegacyInventoryDocument,
  LegacyInventorySource,
  LegacyInventoryUpdate,
} from '../../src/migrate/legacy-inventory';

export type StoredDocument = LegacyInventoryDocument<string> & Record<string, unknown>;

const NEW_FIELDS = ['availableStock', 'version', 'needsSync', 'updatedAt'] as const;

/**
 * A copy a caller may change freely. Shallow: the values are scalars, Dates and ObjectIds, none
 * changed in place — and structuredClone would turn an ObjectId into a plain object.
 */
const copy = (document: StoredDocument): StoredDocument => ({ ...document });

/** null and missing are one to the migration, as `{field: null}` makes them in MongoDB. */
const isMissing = (value: unknown) => value === undefined || value === null;

/** MongoDB's `$eq` on the values the migration compares: scalars, and dates by their time. */
function sameValue(stored: unknown, expected: unknown): boolean {
  if (stored instanceof Date && expected instanceof Date)
    return stored.getTime() === expected.getTime();
  return stored === expected;
}

/** The migration's narrow interface over a Map, ordered by string _id (24-hex ids sort like ObjectIds). */
export class MemoryLegacyInventorySource implements LegacyInventorySource<string> {
  readonly documents = new Map<string, StoredDocument>();

  constructor(documents: StoredDocument[] = []) {
    this.load(documents);
  }

  load(documents: StoredDocument[]): void {
    this.documents.clear();
    for (const document of documents) this.documents.set(document._id, copy(document));
  }

  async findBatch(
    afterId: string | null,
    limit: number,
  ): Promise<LegacyInventoryDocument<string>[]> {
    const batch = [...this.documents.values()]
      .filter((document) => afterId === null || document._id > afterId)
      .filter((document) => NEW_FIELDS.some((field) => isMissing(document[field])))
      .sort((a, b) => (a._id < b._id ? -1 : 1))
      .slice(0, limit)
      .map(copy);
    return batch;
  }

  async applyBatch(updates: LegacyInventoryUpdate<string>[]): Promise<number> {
    let matched = 0;
    for (const update of updates) {
      const document = this.documents.get(update.id);
      const unchanged =
        document !== undefined &&
        Object.entries(update.expected).every(([field, value]) =>
          isMissing(value) ? isMissing(document[field]) : sameValue(document[field], value),
        );
      if (!unchanged) continue;
      Object.assign(document, update.set);
      matched += 1;
    }
    return matched;
  }

  async countRemaining(): Promise<number> {
    return [...this.documents.values()].filter((document) =>
      NEW_FIELDS.some((field) => isMissing(document[field])),
    ).length;
  }

  snapshot(): StoredDocument[] {
    return [...this.documents.values()].sort((a, b) => (a._id < b._id ? -1 : 1)).map(copy);
  }
}
