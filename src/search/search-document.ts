import type { Inventory, SearchDocument, Variant } from '../store/store.types';

/** Builds the search document for a variant from its current inventory. Pure. */
export function toSearchDocument(
  variant: Variant,
  inventory: Inventory,
  now: Date,
): SearchDocument {
  const document: SearchDocument = {
    variantId: variant.id,
    sku: variant.sku,
    productId: variant.productId,
    title: variant.title,
    attributes: { ...variant.attributes },
    price: variant.price,
    inStock: inventory.availableStock > 0,
    availableStock: inventory.availableStock,
    syncedVersion: inventory.version,
    syncedAt: now,
  };
  if (variant.salePrice !== undefined) document.salePrice = variant.salePrice;
  if (variant.saleStartsAt) document.saleStartsAt = variant.saleStartsAt;
  if (variant.saleEndsAt) document.saleEndsAt = variant.saleEndsAt;
  return document;
}
