import { Types } from 'mongoose';
import { isObjectId } from '../object-id';
import type { Inventory, Reservation, SearchDocument, Variant } from '../store.types';
import type {
  HoldDoc,
  InventoryDoc,
  ReservationDoc,
  SearchDocumentDoc,
  VariantDoc,
} from './mongo.schemas';

/**
 * Pure mappers between lean persistence documents and the port's plain records. Every Date is
 * copied, so a record handed out never shares an object with the driver or with a caller.
 */

/** The ObjectId for a 24-hex id, or null for anything else (which the store treats as unknown). */
export function parseObjectId(id: string): Types.ObjectId | null {
  return isObjectId(id) ? Types.ObjectId.createFromHexString(id) : null;
}

export function idToString(id: Types.ObjectId): string {
  return id.toHexString();
}

function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

/** Stands for "no date recorded": the start of the epoch, which sorts before every real date. */
export const UNKNOWN_DATE = 0;

/**
 * A date that documents written before it was required may lack (legacy inventory, before the
 * migration that fills it in): read as UNKNOWN_DATE rather than crashing the reader.
 */
export function copyDateOrUnknown(date: Date | null | undefined): Date {
  return date instanceof Date ? copyDate(date) : new Date(UNKNOWN_DATE);
}

/**
 * A lean Map-typed path comes back as a plain object; a document written by something other than
 * mongoose could hold a Map-like value or nothing, so both are normalised to a fresh plain object.
 */
function toAttributes(value: unknown): Record<string, string> {
  if (value instanceof Map) return Object.fromEntries(value) as Record<string, string>;
  if (value === null || typeof value !== 'object') return {};
  return { ...(value as Record<string, string>) };
}

export function toVariant(doc: VariantDoc): Variant {
  return {
    id: idToString(doc._id),
    sku: doc.sku,
    productId: doc.productId,
    title: doc.title,
    attributes: toAttributes(doc.attributes),
    price: doc.price,
    ...(doc.salePrice != null && { salePrice: doc.salePrice }),
    ...(doc.saleStartsAt != null && { saleStartsAt: copyDate(doc.saleStartsAt) }),
    ...(doc.saleEndsAt != null && { saleEndsAt: copyDate(doc.saleEndsAt) }),
    ...(doc.purchaseLimit != null && { purchaseLimit: doc.purchaseLimit }),
    ...(doc.lowStockThreshold != null && { lowStockThreshold: doc.lowStockThreshold }),
    createdAt: copyDate(doc.createdAt),
    updatedAt: copyDate(doc.updatedAt),
  };
}

export function toInventory(doc: InventoryDoc): Inventory {
  return {
    variantId: idToString(doc.variantId),
    totalStock: doc.totalStock,
    reservedStock: doc.reservedStock,
    availableStock: doc.availableStock,
    version: doc.version,
    needsSync: doc.needsSync,
    updatedAt: copyDateOrUnknown(doc.updatedAt),
  };
}

export function toReservation(doc: ReservationDoc): Reservation {
  return {
    id: idToString(doc._id),
    userId: doc.userId,
    variantId: idToString(doc.variantId),
    quantity: doc.quantity,
    status: doc.status,
    expiresAt: copyDate(doc.expiresAt),
    ...(doc.idempotencyKey != null && { idempotencyKey: doc.idempotencyKey }),
    ...(doc.requestHash != null && { requestHash: doc.requestHash }),
    ...(doc.groupId != null && { groupId: idToString(doc.groupId) }),
    extensions: doc.extensions ?? 0,
    ...(doc.source === 'waitlist' && { source: 'waitlist' as const }),
    createdAt: copyDate(doc.createdAt),
    updatedAt: copyDate(doc.updatedAt),
    ...(doc.endedAt != null && { endedAt: copyDate(doc.endedAt) }),
  };
}

export function searchDocumentFromDoc(doc: SearchDocumentDoc): SearchDocument {
  return {
    variantId: idToString(doc.variantId),
    sku: doc.sku,
    productId: doc.productId,
    title: doc.title,
    attributes: toAttributes(doc.attributes),
    price: doc.price,
    ...(doc.salePrice != null && { salePrice: doc.salePrice }),
    ...(doc.saleStartsAt != null && { saleStartsAt: copyDate(doc.saleStartsAt) }),
    ...(doc.saleEndsAt != null && { saleEndsAt: copyDate(doc.saleEndsAt) }),
    inStock: doc.inStock,
    availableStock: doc.availableStock,
    syncedVersion: doc.syncedVersion,
    syncedAt: copyDate(doc.syncedAt),
  };
}

/** The optional sale fields: a document written without them must lose any stored ones. */
export const OPTIONAL_SEARCH_FIELDS = ['salePrice', 'saleStartsAt', 'saleEndsAt'] as const;

/**
 * The `$set` / `$unset` that make a stored search document equal to `document` (variantId stays:
 * it is the document's key). Absent optional fields are unset, so an ended sale disappears.
 */
export function searchDocumentUpdate(document: SearchDocument): {
  $set: Omit<SearchDocumentDoc, '_id' | 'variantId'>;
  $unset?: Partial<Record<(typeof OPTIONAL_SEARCH_FIELDS)[number], ''>>;
} {
  const $set: Omit<SearchDocumentDoc, '_id' | 'variantId'> = {
    sku: document.sku,
    productId: document.productId,
    title: document.title,
    attributes: { ...document.attributes },
    price: document.price,
    ...(document.salePrice !== undefined && { salePrice: document.salePrice }),
    ...(document.saleStartsAt !== undefined && { saleStartsAt: copyDate(document.saleStartsAt) }),
    ...(document.saleEndsAt !== undefined && { saleEndsAt: copyDate(document.saleEndsAt) }),
    inStock: document.inStock,
    availableStock: document.availableStock,
    syncedVersion: document.syncedVersion,
    syncedAt: copyDate(document.syncedAt),
  };
  const absent = OPTIONAL_SEARCH_FIELDS.filter((field) => document[field] === undefined);
  if (absent.length === 0) return { $set };
  return { $set, $unset: Object.fromEntries(absent.map((field) => [field, ''])) };
}

/**
 * One hold as `reservationId/variantId×quantity`, the same key the reference model's reconcile
 * compares, so both stores describe a mismatched hold list in the same words.
 */
export function holdKey(hold: {
  reservationId: string;
  variantId: string;
  quantity: number;
}): string {
  return `${hold.reservationId}/${hold.variantId}×${hold.quantity}`;
}

export function holdDocKey(hold: HoldDoc): string {
  return holdKey({
    reservationId: idToString(hold.reservationId),
    variantId: idToString(hold.variantId),
    quantity: hold.quantity,
  });
}
