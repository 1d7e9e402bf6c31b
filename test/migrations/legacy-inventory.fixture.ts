import { ObjectId } from 'mongodb';
import type { StoredDocument } from './memory-legacy-source';

/** A 24-hex id that sorts by n, like ObjectIds created in sequence. */
export const legacyId = (n: number) => n.toString(16).padStart(24, '0');

/** The ObjectId of variant n (legacy documents reference their variant by ObjectId). */
export const variantOid = (n: number) => new ObjectId(`f${n.toString(16).padStart(23, '0')}`);

/** The `now` every test run of the migration is given, so `updatedAt` is predictable. */
export const MIGRATION_NOW = new Date('2026-12-03T06:00:00.000Z');

/** An updatedAt a document already had: kept as it is. */
export const EARLIER = new Date('2026-11-01T00:00:00.000Z');

/** Valid legacy documents and what the migration must turn them into. */
export const VALID_LEGACY: { document: StoredDocument; expected: Record<string, unknown> }[] = [
  {
    document: { _id: legacyId(1), variantId: variantOid(1), totalStock: 10, reservedStock: 3 },
    expected: {
      totalStock: 10,
      reservedStock: 3,
      availableStock: 7,
      version: 0,
      needsSync: true,
      updatedAt: MIGRATION_NOW,
    },
  },
  {
    document: { _id: legacyId(2), variantId: variantOid(2), totalStock: 0, reservedStock: 0 },
    expected: { availableStock: 0, version: 0, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    document: { _id: legacyId(3), variantId: variantOid(3), totalStock: 5, reservedStock: 5 },
    expected: { availableStock: 0, version: 0, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    // An existing version is kept: search sync accepts only newer versions.
    document: {
      _id: legacyId(4),
      variantId: variantOid(4),
      totalStock: 8,
      reservedStock: 2,
      version: 41,
    },
    expected: { availableStock: 6, version: 41, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    // Half-migrated earlier: availableStock present and right, version missing.
    document: {
      _id: legacyId(5),
      variantId: variantOid(5),
      totalStock: 20,
      reservedStock: 1,
      availableStock: 19,
    },
    expected: { availableStock: 19, version: 0, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    document: {
      _id: legacyId(6),
      variantId: variantOid(6),
      totalStock: 4,
      reservedStock: 1,
      availableStock: null,
    },
    expected: { availableStock: 3, version: 0, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    document: {
      _id: legacyId(7),
      variantId: variantOid(7),
      totalStock: 1_000_000,
      reservedStock: 999_999,
    },
    expected: { availableStock: 1, version: 0, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    // Migrated by the first version of the walk, which never set updatedAt: only that is added.
    document: {
      _id: legacyId(9),
      variantId: variantOid(9),
      totalStock: 6,
      reservedStock: 2,
      availableStock: 4,
      version: 12,
      needsSync: false,
    },
    expected: { availableStock: 4, version: 12, needsSync: true, updatedAt: MIGRATION_NOW },
  },
  {
    // A date already there is kept.
    document: {
      _id: legacyId(10),
      variantId: variantOid(10),
      totalStock: 3,
      reservedStock: 0,
      updatedAt: EARLIER,
    },
    expected: { availableStock: 3, version: 0, needsSync: true, updatedAt: EARLIER },
  },
];

/** Already in the new shape: never selected, never touched. */
export const ALREADY_MIGRATED: StoredDocument = {
  _id: legacyId(8),
  variantId: variantOid(8),
  totalStock: 9,
  reservedStock: 1,
  availableStock: 8,
  version: 3,
  needsSync: false,
  updatedAt: EARLIER,
};

/** Invalid legacy documents and (part of) the reason each must be refused with. */
export const INVALID_LEGACY: { document: StoredDocument; reason: string }[] = [
  {
    document: { _id: legacyId(101), variantId: variantOid(101), totalStock: -1, reservedStock: 0 },
    reason: 'totalStock is negative (-1)',
  },
  {
    document: { _id: legacyId(102), variantId: variantOid(102), totalStock: 5, reservedStock: -2 },
    reason: 'reservedStock is negative (-2)',
  },
  {
    document: { _id: legacyId(103), variantId: variantOid(103), totalStock: 2, reservedStock: 3 },
    reason: 'reservedStock 3 exceeds totalStock 2',
  },
  {
    document: { _id: legacyId(104), variantId: variantOid(104), totalStock: 2.5, reservedStock: 0 },
    reason: 'totalStock is not an integer (2.5)',
  },
  {
    document: { _id: legacyId(105), variantId: variantOid(105), reservedStock: 0 },
    reason: 'totalStock is missing',
  },
  {
    document: { _id: legacyId(106), variantId: variantOid(106), totalStock: 3 },
    reason: 'reservedStock is missing',
  },
  {
    document: {
      _id: legacyId(107),
      variantId: variantOid(107),
      totalStock: '12',
      reservedStock: 0,
    },
    reason: 'totalStock is not a number ("12")',
  },
  {
    document: {
      _id: legacyId(108),
      variantId: variantOid(108),
      totalStock: 10,
      reservedStock: 3,
      availableStock: 5,
    },
    reason: 'availableStock 5 ≠ totalStock 10 − reservedStock 3',
  },
  {
    document: {
      _id: legacyId(109),
      variantId: variantOid(109),
      totalStock: 10,
      reservedStock: 3,
      version: -1,
    },
    reason: 'version is negative (-1)',
  },
  {
    document: {
      _id: legacyId(110),
      variantId: variantOid(110),
      totalStock: Number.NaN,
      reservedStock: 0,
    },
    reason: 'totalStock is not a number (NaN)',
  },
  {
    document: {
      _id: legacyId(111),
      variantId: variantOid(111),
      totalStock: null,
      reservedStock: null,
    },
    reason: 'totalStock is missing; reservedStock is missing',
  },
  {
    // The store finds inventory by the variant's ObjectId: a hex string is never found.
    document: {
      _id: legacyId(112),
      variantId: 'f00000000000000000000070',
      totalStock: 4,
      reservedStock: 0,
    },
    reason: 'variantId is not an ObjectId ("f00000000000000000000070")',
  },
  {
    document: { _id: legacyId(113), totalStock: 4, reservedStock: 0 },
    reason: 'variantId is missing',
  },
  {
    // A date that is not a date (the validator would refuse the document).
    document: {
      _id: legacyId(114),
      variantId: variantOid(114),
      totalStock: 4,
      reservedStock: 1,
      updatedAt: '2026-11-01',
    },
    reason: 'updatedAt is not a date ("2026-11-01")',
  },
];

/** `count` valid legacy documents with ids from `firstId`, for walks over many batches. */
export function manyLegacy(count: number, firstId = 1000): StoredDocument[] {
  return Array.from({ length: count }, (_, index) => ({
    _id: legacyId(firstId + index),
    variantId: variantOid(firstId + index),
    totalStock: 10 + (index % 7),
    reservedStock: index % 5,
  }));
}

export function legacyFixture(): StoredDocument[] {
  return [
    ...VALID_LEGACY.map((entry) => entry.document),
    ALREADY_MIGRATED,
    ...INVALID_LEGACY.map((entry) => entry.document),
  ];
}
