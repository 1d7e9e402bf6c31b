import { effectivePrice } from '../catalog/variant.presenter';
import type { SearchDocument, SearchPage } from '../store/store.types';

export interface SearchItemResponse {
  variantId: string;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  price: number;
  salePrice?: number;
  saleStartsAt?: string;
  saleEndsAt?: string;
  /** salePrice inside the sale window (at the time of the request), else price. */
  effectivePrice: number;
  inStock: boolean;
  availableStock: number;
  /** The inventory version the document shows. */
  syncedVersion: number;
  syncedAt: string;
}

export interface SearchPageResponse {
  items: SearchItemResponse[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export function presentSearchDocument(document: SearchDocument, now: Date): SearchItemResponse {
  const body: SearchItemResponse = {
    variantId: document.variantId,
    sku: document.sku,
    productId: document.productId,
    title: document.title,
    attributes: document.attributes,
    price: document.price,
    effectivePrice: effectivePrice(document, now),
    inStock: document.inStock,
    availableStock: document.availableStock,
    syncedVersion: document.syncedVersion,
    syncedAt: document.syncedAt.toISOString(),
  };
  if (document.salePrice !== undefined) body.salePrice = document.salePrice;
  if (document.saleStartsAt) body.saleStartsAt = document.saleStartsAt.toISOString();
  if (document.saleEndsAt) body.saleEndsAt = document.saleEndsAt.toISOString();
  return body;
}

export function presentSearchPage(page: SearchPage, now: Date): SearchPageResponse {
  return {
    items: page.items.map((document) => presentSearchDocument(document, now)),
    nextCursor: page.nextCursor,
  };
}
