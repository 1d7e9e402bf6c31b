import type { StoredDocument } from './memory-legacy-source';

/** A 24-hex id that sorts by n, like ObjectIds created in sequence. */
export const legacyId = (n: number) => n.toString(16).padStart(24, '0');

/** Valid legacy documents and what the migration must turn them into. */
export const VALID_LEGACY: { document: StoredDocument; expected: Record<string, unknown> }[] = [
  {
    document: { _id: legacyId(1), variantId: 'v1', totalStock: 10, reservedStock: 3 },
    expected: { totalStock: 10, reservedStock: 3, availableStock: 7, version: 0, needsSync: true },
  },
  {
    document: { _id: legacyId(2), variantId: 'v2', totalStock: 0, reservedStock: 0 },
    expected: { availableStock: 0, version: 0, needsSync: true },
  },
  {
    document: { _id: legacyId(3), variantId: 'v3', totalStock: 5, reservedStock: 5 },
    expected: { availableStock: 0, version: 0, needsSync: true },
  },
  {
    // An existing version is kept: search sync accepts only newer versions.
    document: { _id: legacyId(4), variantId: 'v4', totalStock: 8, reservedStock: 2, version: 41 },
    expected: { availableStock: 6, version: 41, needsSync: true },
  },
  {
    // Half-migrated earlier: availableStock present and right, version missing.
    document: {
      _id: legacyId(5),
      variantId: 'v5',
      totalStock: 20,
      reservedStock: 1,
      availableStock: 19,
    },
    expected: { availableStock: 19, version: 0, needsSync: true },
  },
  {
    document: {
      _id: legacyId(6),
      variantId: 'v6',
      totalStock: 4,
      reservedStock: 1,
      availableStock: null,
    },
    expected: { availableStock: 3, version: 0, needsSync: true },
  },
  {
    document: { _id: legacyId(7), variantId: 'v7', totalStock: 1_000_000, reservedStock: 999_999 },
    expected: { availableStock: 1, version: 0, needsSync: true },
  },
];

/** Already in the new shape: never selected, never touched. */
export const ALREADY_MIGRATED: StoredDocument = {
  _id: legacyId(8),
  variantId: 'v8',
  totalStock: 9,
  reservedStock: 1,
  availableStock: 8,
  version: 3,
  needsSync: false,
};

/** Invalid legacy documents and (part of) the reason each must be refused with. */
export const INVALID_LEGACY: { document: StoredDocument; reason: string }[] = [
  {
    document: { _id: legacyId(101), variantId: 'x1', totalStock: -1, reservedStock: 0 },
    reason: 'totalStock is negative (-1)',
  },
  {
    document: { _id: legacyId(102), variantId: 'x2', totalStock: 5, reservedStock: -2 },
    reason: 'reservedStock is negative (-2)',
  },
  {
    document: { _id: legacyId(103), variantId: 'x3', totalStock: 2, reservedStock: 3 },
    reason: 'reservedStock 3 exceeds totalStock 2',
  },
  {
    document: { _id: legacyId(104), variantId: 'x4', totalStock: 2.5, reservedStock: 0 },
    reason: 'totalStock is not an integer (2.5)',
  },
  {
    document: { _id: legacyId(105), variantId: 'x5', reservedStock: 0 },
    reason: 'totalStock is missing',
  },
  {
    document: { _id: legacyId(106), variantId: 'x6', totalStock: 3 },
    reason: 'reservedStock is missing',
  },
  {
    document: { _id: legacyId(107), variantId: 'x7', totalStock: '12', reservedStock: 0 },
    reason: 'totalStock is not a number ("12")',
  },
  {
    document: {
      _id: legacyId(108),
      variantId: 'x8',
      totalStock: 10,
      reservedStock: 3,
      availableStock: 5,
    },
    reason: 'availableStock 5 ≠ totalStock 10 − reservedStock 3',
  },
  {
    document: {
      _id: legacyId(109),
      variantId: 'x9',
      totalStock: 10,
      reservedStock: 3,
      version: -1,
    },
    reason: 'version is negative (-1)',
  },
  {
    document: { _id: legacyId(110), variantId: 'x10', totalStock: Number.NaN, reservedStock: 0 },
    reason: 'totalStock is not a number (NaN)',
  },
  {
    document: { _id: legacyId(111), variantId: 'x11', totalStock: null, reservedStock: null },
    reason: 'totalStock is missing; reservedStock is missing',
  },
];

/** `count` valid legacy documents with ids from `firstId`, for walks over many batches. */
export function manyLegacy(count: number, firstId = 1000): StoredDocument[] {
  return Array.from({ length: count }, (_, index) => ({
    _id: legacyId(firstId + index),
    variantId: `bulk${index}`,
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
