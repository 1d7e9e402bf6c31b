/**
 * The legacy inventory data migration, free of MongoDB: a shop adopting stockhold has inventory
 * documents with only `totalStock` and `reservedStock` (availability was computed with `$expr` on
 * every query). This adds the stored `availableStock`, a `version` (0 when missing), `updatedAt`
 * (the run's time when missing) and `needsSync: true`, walking the collection by `_id` range in
 * batches. Documents migrated by an earlier version of this walk, which lack only `updatedAt`, are
 * picked up too.
 *
 * - Idempotent and resumable: only documents still missing a new field are picked, and each write
 *   is conditional on the figures read, so a re-run after a crash continues where it stopped.
 * - Never writes a bad figure: documents whose figures are missing, non-integer, negative or
 *   inconsistent, whose `variantId` is not an ObjectId (the store looks inventory up by the
 *   variant's ObjectId, so such a document could never be found or sold) or whose `updatedAt` is
 *   not a date are refused, listed, and fail the run once the walk is over.
 */

/** A stored inventory document as the migration sees it; fields are unchecked. */
export interface LegacyInventoryDocument<Id> {
  _id: Id;
  variantId?: unknown;
  totalStock?: unknown;
  reservedStock?: unknown;
  availableStock?: unknown;
  version?: unknown;
  needsSync?: unknown;
  updatedAt?: unknown;
}

/** The fields the migration writes. */
export interface NewInventoryFields {
  availableStock?: number;
  version?: number;
  updatedAt?: Date;
  needsSync: true;
}

/**
 * One conditional write: `set` applies only while the document still holds `expected` (the values
 * read, missing ones as null), so a document changed in between is left for the next run.
 */
export interface LegacyInventoryUpdate<Id> {
  id: Id;
  expected: Pick<
    LegacyInventoryDocument<Id>,
    'totalStock' | 'reservedStock' | 'availableStock' | 'version' | 'needsSync' | 'updatedAt'
  >;
  set: NewInventoryFields;
}

/** The narrow storage interface the migration needs; MongoDB and an in-memory map implement it. */
export interface LegacyInventorySource<Id> {
  /**
   * Up to `limit` documents missing (or null in) availableStock, version, needsSync or updatedAt, with
   * `_id > afterId` (from the start when null), ascending by `_id`.
   */
  findBatch(afterId: Id | null, limit: number): Promise<LegacyInventoryDocument<Id>[]>;
  /** Applies the conditional writes; returns how many matched. */
  applyBatch(updates: LegacyInventoryUpdate<Id>[]): Promise<number>;
  /** How many documents still miss a new field (the after-walk completeness check). */
  countRemaining(): Promise<number>;
}

export interface RefusedInventoryDocument {
  id: string;
  reason: string;
}

export interface LegacyMigrationResult {
  batches: number;
  scanned: number;
  migrated: number;
  refused: RefusedInventoryDocument[];
  /** Documents still missing a field after the walk, other than the refused ones. */
  leftBehind: number;
}

export interface LegacyMigrationOptions {
  batchSize: number;
  log: (line: string) => void;
  /** Written as `updatedAt` where it is missing: when the figures were last known to change. */
  now: Date;
}

export const LEGACY_MIGRATION_NAME = 'legacy-inventory';

/** Larger numbers lose precision as JavaScript numbers. */
const MAX_FIGURE = Number.MAX_SAFE_INTEGER;

type FigureCheck = { ok: true; value: number } | { ok: false; reason: string };

/** For refusal reasons: the value, or its BSON type (Decimal128, Long…) when not a plain scalar. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
  return constructorName ?? typeof value;
}

function checkFigure(name: string, value: unknown): FigureCheck {
  if (value === undefined || value === null) return { ok: false, reason: `${name} is missing` };
  if (typeof value !== 'number' || Number.isNaN(value)) {
    return { ok: false, reason: `${name} is not a number (${describeValue(value)})` };
  }
  if (!Number.isInteger(value))
    return { ok: false, reason: `${name} is not an integer (${value})` };
  if (value < 0) return { ok: false, reason: `${name} is negative (${value})` };
  if (value > MAX_FIGURE) return { ok: false, reason: `${name} is too large (${value})` };
  return { ok: true, value };
}

/**
 * A BSON ObjectId, recognised as the bson library itself does (`ObjectId.is`: the `_bsontype`
 * tag), so this file stays free of the driver and the in-memory test source can hold the same values.
 */
function isObjectIdValue(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { _bsontype?: unknown })._bsontype === 'ObjectId'
  );
}

export type LegacyDocumentCheck =
  { ok: true; set: NewInventoryFields } | { ok: false; reason: string };

/**
 * What to write for one document, or why it is refused. Pure, so every rule is unit-tested.
 * Fields already present are kept (an existing `version` is never reset: the search sync only
 * accepts newer versions), but must be consistent with the figures.
 */
export function planLegacyDocument(
  document: LegacyInventoryDocument<unknown>,
  now: Date,
): LegacyDocumentCheck {
  const reasons: string[] = [];
  if (document.variantId === undefined || document.variantId === null) {
    reasons.push('variantId is missing');
  } else if (!isObjectIdValue(document.variantId)) {
    reasons.push(`variantId is not an ObjectId (${describeValue(document.variantId)})`);
  }
  const total = checkFigure('totalStock', document.totalStock);
  const reserved = checkFigure('reservedStock', document.reservedStock);
  if (!total.ok) reasons.push(total.reason);
  if (!reserved.ok) reasons.push(reserved.reason);
  if (total.ok && reserved.ok && reserved.value > total.value) {
    reasons.push(`reservedStock ${reserved.value} exceeds totalStock ${total.value}`);
  }

  const set: NewInventoryFields = { needsSync: true };
  if (document.availableStock === undefined || document.availableStock === null) {
    if (total.ok && reserved.ok) set.availableStock = total.value - reserved.value;
  } else {
    const available = checkFigure('availableStock', document.availableStock);
    if (!available.ok) reasons.push(available.reason);
    else if (total.ok && reserved.ok && available.value !== total.value - reserved.value) {
      reasons.push(
        `availableStock ${available.value} ≠ totalStock ${total.value} − reservedStock ${reserved.value}`,
      );
    }
  }
  if (document.version === undefined || document.version === null) {
    set.version = 0;
  } else {
    const version = checkFigure('version', document.version);
    if (!version.ok) reasons.push(version.reason);
  }
  if (document.updatedAt === undefined || document.updatedAt === null) {
    set.updatedAt = new Date(now.getTime());
  } else if (!(document.updatedAt instanceof Date) || Number.isNaN(document.updatedAt.getTime())) {
    reasons.push(`updatedAt is not a date (${describeValue(document.updatedAt)})`);
  }

  return reasons.length > 0 ? { ok: false, reason: reasons.join('; ') } : { ok: true, set };
}

function expectedOf<Id>(
  document: LegacyInventoryDocument<Id>,
): LegacyInventoryUpdate<Id>['expected'] {
  // Missing and null are the same to the condition (MongoDB's `{field: null}` matches both).
  const orNull = (value: unknown) => (value === undefined ? null : value);
  return {
    totalStock: orNull(document.totalStock),
    reservedStock: orNull(document.reservedStock),
    availableStock: orNull(document.availableStock),
    version: orNull(document.version),
    needsSync: orNull(document.needsSync),
    updatedAt: orNull(document.updatedAt),
  };
}

/** Walks every document missing a new field; returns counts and the refused documents. */
export async function migrateLegacyInventory<Id>(
  source: LegacyInventorySource<Id>,
  options: LegacyMigrationOptions,
): Promise<LegacyMigrationResult> {
  const { batchSize, log, now } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);

  const result: LegacyMigrationResult = {
    batches: 0,
    scanned: 0,
    migrated: 0,
    refused: [],
    leftBehind: 0,
  };
  log(
    `${LEGACY_MIGRATION_NAME}: adding availableStock, version, updatedAt and needsSync where missing (batches of ${batchSize})`,
  );

  let afterId: Id | null = null;
  for (;;) {
    const batch = await source.findBatch(afterId, batchSize);
    if (batch.length === 0) break;

    const updates: LegacyInventoryUpdate<Id>[] = [];
    for (const document of batch) {
      const plan = planLegacyDocument(document, now);
      if (plan.ok) {
        updates.push({ id: document._id, expected: expectedOf(document), set: plan.set });
      } else {
        const refusal = { id: String(document._id), reason: plan.reason };
        result.refused.push(refusal);
        log(`${LEGACY_MIGRATION_NAME}: refused ${refusal.id}: ${refusal.reason}`);
      }
    }
    const matched = updates.length > 0 ? await source.applyBatch(updates) : 0;

    result.batches += 1;
    result.scanned += batch.length;
    result.migrated += matched;
    // Range walk, never skip: the next batch starts after the last id seen, refused ones included.
    afterId = batch[batch.length - 1]._id;
    log(
      `${LEGACY_MIGRATION_NAME}: batch ${result.batches}: ${result.scanned} scanned, ` +
        `${result.migrated} migrated, ${result.refused.length} refused (last _id ${String(afterId)})`,
    );
  }

  // Catches what a range walk cannot see: documents changed or inserted behind it while it ran.
  const remaining = await source.countRemaining();
  result.leftBehind = Math.max(0, remaining - result.refused.length);
  log(
    result.scanned === 0
      ? `${LEGACY_MIGRATION_NAME}: nothing to migrate`
      : `${LEGACY_MIGRATION_NAME}: done: ${result.scanned} scanned, ${result.migrated} migrated, ` +
          `${result.refused.length} refused, in ${result.batches} batches`,
  );
  return result;
}

/** Thrown when the walk refused documents or left some behind; the message lists them. */
export class LegacyInventoryMigrationError extends Error {
  constructor(readonly result: LegacyMigrationResult) {
    super(LegacyInventoryMigrationError.describe(result));
    this.name = 'LegacyInventoryMigrationError';
  }

  static readonly LISTED = 20;

  private static describe(result: LegacyMigrationResult): string {
    const parts: string[] = [];
    if (result.refused.length > 0) {
      const listed = result.refused
        .slice(0, LegacyInventoryMigrationError.LISTED)
        .map((refusal) => `${refusal.id} (${refusal.reason})`)
        .join(', ');
      const more = result.refused.length - LegacyInventoryMigrationError.LISTED;
      parts.push(
        `${result.refused.length} inventory documents cannot be migrated and were left unchanged: ` +
          `${listed}${more > 0 ? `, and ${more} more listed in the log above` : ''}. ` +
          'Correct their totalStock/reservedStock (or variantId, which must be the ObjectId of their variant), ' +
          'then run the migration again; it resumes where it stopped.',
      );
    }
    if (result.leftBehind > 0) {
      parts.push(
        `${result.leftBehind} inventory documents still lack availableStock, version, updatedAt or needsSync after the walk ` +
          '(written while it ran, or with _id values of another type than the rest). ' +
          'Stop every writer to the inventory collection and run the migration again.',
      );
    }
    return parts.join(' ');
  }
}

/** Runs the walk and fails unless every document ended up migrated. */
export async function migrateLegacyInventoryOrFail<Id>(
  source: LegacyInventorySource<Id>,
  options: LegacyMigrationOptions,
): Promise<LegacyMigrationResult> {
  const result = await migrateLegacyInventory(source, options);
  if (result.refused.length > 0 || result.leftBehind > 0)
    throw new LegacyInventoryMigrationError(result);
  return result;
}
