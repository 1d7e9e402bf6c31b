import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  holdDocKey,
  holdKey,
  parseObjectId,
  searchDocumentFromDoc,
  searchDocumentUpdate,
  toInventory,
  toReservation,
  toVariant,
} from './mongo.mappers';
import type { SearchDocument } from '../store.types';
import type { InventoryDoc, ReservationDoc, SearchDocumentDoc, VariantDoc } from './mongo.schemas';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const hex = '65a1b2c3d4e5f60718293a4b';
const variantHex = '65a1b2c3d4e5f60718293a4c';

describe('parseObjectId', () => {
  it('turns a 24-hex id into the ObjectId with that hex', () => {
    expect(parseObjectId(hex)?.toHexString()).toBe(hex);
  });

  it('accepts upper-case hex, which names the same ObjectId', () => {
    expect(parseObjectId(hex.toUpperCase())?.toHexString()).toBe(hex);
  });

  it.each(['', 'abc', `${hex}0`, 'zzzzzzzzzzzzzzzzzzzzzzzz', 'twelve-bytes', '{"$gt":""}'])(
    'answers null (unknown, never a CastError) for %j',
    (id) => {
      expect(parseObjectId(id)).toBeNull();
    },
  );
});

describe('toVariant', () => {
  const doc: VariantDoc = {
    _id: new Types.ObjectId(hex),
    sku: 'TEE-RED-M',
    productId: 'tee',
    title: 'Red tee',
    attributes: { colour: 'red', size: 'M' },
    price: 2500,
    salePrice: 1500,
    saleStartsAt: new Date('2030-02-01T00:00:00.000Z'),
    saleEndsAt: new Date('2030-03-01T00:00:00.000Z'),
    createdAt: T0,
    updatedAt: T0,
  };

  it('maps every field, the ObjectId to its hex string', () => {
    expect(toVariant(doc)).toEqual({
      id: hex,
      sku: 'TEE-RED-M',
      productId: 'tee',
      title: 'Red tee',
      attributes: { colour: 'red', size: 'M' },
      price: 2500,
      salePrice: 1500,
      saleStartsAt: new Date('2030-02-01T00:00:00.000Z'),
      saleEndsAt: new Date('2030-03-01T00:00:00.000Z'),
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('leaves absent sale fields out rather than undefined or null', () => {
    const plain: VariantDoc = { ...doc };
    delete plain.salePrice;
    delete plain.saleStartsAt;
    delete plain.saleEndsAt;
    const variant = toVariant(plain);
    expect(Object.keys(variant)).not.toContain('salePrice');
    expect(Object.keys(variant)).not.toContain('saleStartsAt');
    expect(Object.keys(variant)).not.toContain('saleEndsAt');
  });

  it('hands out copies: changing the record leaves the document alone', () => {
    const variant = toVariant(doc);
    variant.attributes.colour = 'green';
    variant.createdAt.setTime(0);
    expect(doc.attributes.colour).toBe('red');
    expect(doc.createdAt).toEqual(T0);
  });

  it('reads attributes stored as a Map, or missing, as a plain object', () => {
    const fromMap = { ...doc, attributes: new Map([['colour', 'blue']]) } as unknown as VariantDoc;
    expect(toVariant(fromMap).attributes).toEqual({ colour: 'blue' });
    const missing = { ...doc, attributes: undefined } as unknown as VariantDoc;
    expect(toVariant(missing).attributes).toEqual({});
  });
});

describe('toInventory', () => {
  it('reads a legacy document without updatedAt as changed at the start of the epoch, not a crash', () => {
    const doc: InventoryDoc = {
      _id: new Types.ObjectId(),
      variantId: new Types.ObjectId(variantHex),
      totalStock: 2,
      reservedStock: 0,
      availableStock: 2,
      version: 0,
      needsSync: true,
      updatedAt: undefined,
    };
    expect(toInventory(doc).updatedAt).toEqual(new Date(0));
  });

  it('maps exactly the port fields (no _id), variantId as hex', () => {
    const doc: InventoryDoc = {
      _id: new Types.ObjectId(),
      variantId: new Types.ObjectId(variantHex),
      totalStock: 10,
      reservedStock: 3,
      availableStock: 7,
      version: 4,
      needsSync: true,
      updatedAt: T0,
    };
    const inventory = toInventory(doc);
    expect(inventory).toStrictEqual({
      variantId: variantHex,
      totalStock: 10,
      reservedStock: 3,
      availableStock: 7,
      version: 4,
      needsSync: true,
      updatedAt: T0,
    });
    expect(inventory.updatedAt).not.toBe(doc.updatedAt);
  });
});

describe('toReservation', () => {
  const base: ReservationDoc = {
    _id: new Types.ObjectId(hex),
    userId: 'alice',
    variantId: new Types.ObjectId(variantHex),
    quantity: 2,
    status: 'active',
    expiresAt: new Date('2030-01-01T00:10:00.000Z'),
    createdAt: T0,
    updatedAt: T0,
  };

  it('maps an active reservation without optional fields, leaving them out', () => {
    const reservation = toReservation(base);
    expect(reservation).toStrictEqual({
      id: hex,
      userId: 'alice',
      variantId: variantHex,
      quantity: 2,
      status: 'active',
      expiresAt: new Date('2030-01-01T00:10:00.000Z'),
      // Written before hold extension existed: no extensions yet.
      extensions: 0,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(reservation.expiresAt).not.toBe(base.expiresAt);
  });

  it('carries the idempotency key, request hash and end time when present', () => {
    const ended: ReservationDoc = {
      ...base,
      status: 'released',
      idempotencyKey: 'key-1',
      requestHash: 'hash-1',
      endedAt: new Date('2030-01-01T00:05:00.000Z'),
    };
    expect(toReservation(ended)).toMatchObject({
      status: 'released',
      idempotencyKey: 'key-1',
      requestHash: 'hash-1',
      endedAt: new Date('2030-01-01T00:05:00.000Z'),
    });
  });

  it('carries the cart group and the extension count when present', () => {
    const groupHex = '0123456789abcdef01234567';
    const line = { ...base, groupId: new Types.ObjectId(groupHex), extensions: 2 };
    expect(toReservation(line)).toMatchObject({ groupId: groupHex, extensions: 2 });
  });

  it('treats null optional fields (written by other tools) as absent', () => {
    const withNulls = { ...base, idempotencyKey: null, endedAt: null } as unknown as ReservationDoc;
    const reservation = toReservation(withNulls);
    expect(Object.keys(reservation)).not.toContain('idempotencyKey');
    expect(Object.keys(reservation)).not.toContain('endedAt');
  });
});

describe('hold keys', () => {
  it('describe a stored hold the way the reference model describes one', () => {
    const stored = {
      reservationId: new Types.ObjectId(hex),
      variantId: new Types.ObjectId(variantHex),
      quantity: 3,
    };
    expect(holdDocKey(stored)).toBe(`${hex}/${variantHex}×3`);
    expect(holdDocKey(stored)).toBe(
      holdKey({ reservationId: hex, variantId: variantHex, quantity: 3 }),
    );
  });
});

describe('search documents', () => {
  const document: SearchDocument = {
    variantId: variantHex,
    sku: 'TEE-RED-M',
    productId: 'tee',
    title: 'Red tee',
    attributes: { colour: 'red' },
    price: 2500,
    salePrice: 1500,
    saleStartsAt: new Date('2030-02-01T00:00:00.000Z'),
    saleEndsAt: new Date('2030-03-01T00:00:00.000Z'),
    inStock: true,
    availableStock: 4,
    syncedVersion: 7,
    syncedAt: T0,
  };

  it('searchDocumentUpdate sets every field but the key, and unsets nothing when all are present', () => {
    const update = searchDocumentUpdate(document);
    const { variantId: _key, ...fields } = document;
    expect(update).toEqual({ $set: fields });
    expect(update.$set).not.toHaveProperty('variantId');
    expect(update.$set).not.toHaveProperty('_id');
  });

  it('searchDocumentUpdate unsets the sale fields a document no longer has', () => {
    const { salePrice: _p, saleStartsAt: _s, saleEndsAt: _e, ...withoutSale } = document;
    const update = searchDocumentUpdate(withoutSale);
    expect(update.$unset).toEqual({ salePrice: '', saleStartsAt: '', saleEndsAt: '' });
    expect(Object.keys(update.$set)).not.toContain('salePrice');
  });

  it('searchDocumentFromDoc maps a stored document back to the same record, with copies of its dates', () => {
    const { variantId: _key, ...fields } = document;
    const doc: SearchDocumentDoc = {
      _id: new Types.ObjectId(hex),
      variantId: new Types.ObjectId(variantHex),
      ...searchDocumentUpdate(document).$set,
    };
    const mapped = searchDocumentFromDoc(doc);
    expect(mapped).toEqual({ variantId: variantHex, ...fields });
    expect(mapped.syncedAt).not.toBe(doc.syncedAt);
    expect(mapped).not.toHaveProperty('_id');
  });

  it('searchDocumentFromDoc leaves out sale fields stored as null', () => {
    const doc = {
      _id: new Types.ObjectId(hex),
      variantId: new Types.ObjectId(variantHex),
      ...searchDocumentUpdate(document).$set,
      salePrice: null,
      saleStartsAt: null,
      saleEndsAt: null,
    } as unknown as SearchDocumentDoc;
    const mapped = searchDocumentFromDoc(doc);
    expect(mapped).not.toHaveProperty('salePrice');
    expect(mapped).not.toHaveProperty('saleStartsAt');
  });
});
