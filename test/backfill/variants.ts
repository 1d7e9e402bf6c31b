import type { VariantWithInventory } from '../../src/store/store.types';

/** The 24-hex id of the n-th variant (1-based): ids sort as their numbers do, like ObjectIds. */
export function variantId(n: number): string {
  return n.toString(16).padStart(24, '0');
}

/**
 * `count` variants with their inventory.
 * Stock, versions and sale prices vary so the documents differ from one another.
 */
export function makeVariants(count: number): VariantWithInventory[] {
  const created = new Date('2029-06-01T00:00:00.000Z');
  const variants: VariantWithInventory[] = [];
  for (let n = 1; n <= count; n += 1) {
    const id = variantId(n);
    const total = (n * 7) % 50;
    const reserved = Math.min(total, n % 5);
    variants.push({
      variant: {
        id,
        sku: `SKU-${n}`,
        productId: `product-${Math.ceil(n / 3)}`,
        title: `Variant number ${n}`,
        attributes: { size: ['S', 'M', 'L'][n % 3] },
        price: 1000 + n,
        ...(n % 4 === 0 && {
          salePrice: 500 + n,
          saleStartsAt: new Date('2029-07-01T00:00:00.000Z'),
          saleEndsAt: new Date('2029-07-02T00:00:00.000Z'),
        }),
        createdAt: created,
        updatedAt: created,
      },
      inventory: {
        variantId: id,
        totalStock: total,
        reservedStock: reserved,
        availableStock: total - reserved,
        version: 1 + (n % 9),
        needsSync: n % 2 === 0,
        updatedAt: created,
      },
    });
  }
  // Newest first: a store must sort by id itself.
  return variants.reverse();
}
