import type { Inventory, Variant } from '../store/store.types';

export interface StockResponse {
  total: number;
  reserved: number;
  available: number;
  version: number;
}

export interface VariantResponse {
  id: string;
  sku: string;
  productId: string;
  title: string;
  attributes: Record<string, string>;
  price: number;
  salePrice?: number;
  saleStartsAt?: string;
  saleEndsAt?: string;
  /** salePrice inside the sale window, else price. */
  effectivePrice: number;
  /** Units one shopper may hold and buy in total; absent when unlimited. */
  purchaseLimit?: number;
  /** Available stock at or below which `stock.low` is sent; absent when unset. */
  lowStockThreshold?: number;
  createdAt: string;
  updatedAt: string;
  stock: StockResponse;
}

export interface InventoryResponse {
  variantId: string;
  totalStock: number;
  reservedStock: number;
  availableStock: number;
  version: number;
}

/** The price fields of a variant, which its search document copies. */
export type PriceFields = Pick<Variant, 'price' | 'salePrice' | 'saleStartsAt' | 'saleEndsAt'>;

/** Effective price (architecture §2): the sale price while the sale window is open, else the list price. */
export function effectivePrice(variant: PriceFields, now: Date): number {
  if (variant.salePrice === undefined) return variant.price;
  const started = !variant.saleStartsAt || variant.saleStartsAt <= now;
  const notEnded = !variant.saleEndsAt || now < variant.saleEndsAt;
  return started && notEnded ? variant.salePrice : variant.price;
}

export function presentVariant(variant: Variant, inventory: Inventory, now: Date): VariantResponse {
  const body: VariantResponse = {
    id: variant.id,
    sku: variant.sku,
    productId: variant.productId,
    title: variant.title,
    attributes: variant.attributes,
    price: variant.price,
    effectivePrice: effectivePrice(variant, now),
    createdAt: variant.createdAt.toISOString(),
    updatedAt: variant.updatedAt.toISOString(),
    stock: {
      total: inventory.totalStock,
      reserved: inventory.reservedStock,
      available: inventory.availableStock,
      version: inventory.version,
    },
  };
  if (variant.salePrice !== undefined) body.salePrice = variant.salePrice;
  if (variant.saleStartsAt) body.saleStartsAt = variant.saleStartsAt.toISOString();
  if (variant.saleEndsAt) body.saleEndsAt = variant.saleEndsAt.toISOString();
  if (variant.purchaseLimit !== undefined) body.purchaseLimit = variant.purchaseLimit;
  if (variant.lowStockThreshold !== undefined) {
    body.lowStockThreshold = variant.lowStockThreshold;
  }
  return body;
}

export function presentInventory(inventory: Inventory): InventoryResponse {
  return {
    variantId: inventory.variantId,
    totalStock: inventory.totalStock,
    reservedStock: inventory.reservedStock,
    availableStock: inventory.availableStock,
    version: inventory.version,
  };
}
