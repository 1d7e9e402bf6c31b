import { describe, expect, it } from 'vitest';
import {
  CartGroupNotFoundError,
  CartRefusedError,
  HoldLifetimeExceededError,
  PurchaseLimitExceededError,
} from './domain-errors';
import { toErrorBody } from './to-error-body';

describe('the errors of cart holds, extension and purchase limits', () => {
  it('answers a refused cart as 409 OUT_OF_STOCK with each line in details', () => {
    const lines = [
      { variantId: 'a', quantity: 1, status: 'refused' as const, code: 'NOT_ATTEMPTED' as const },
      { variantId: 'b', quantity: 4, status: 'refused' as const, code: 'OUT_OF_STOCK' as const },
    ];
    expect(toErrorBody(new CartRefusedError('nothing held', lines), 'r1').body).toEqual({
      statusCode: 409,
      code: 'OUT_OF_STOCK',
      message: 'nothing held',
      requestId: 'r1',
      details: lines,
    });
  });

  it('says how many units are left under a purchase limit', () => {
    const { body } = toErrorBody(new PurchaseLimitExceededError('v1', 3, 1), 'r');
    expect(body).toMatchObject({ statusCode: 409, code: 'PURCHASE_LIMIT_EXCEEDED' });
    expect(body.message).toBe('Variant v1 is limited to 3 units per shopper; you may add 1 more');
    expect(body).not.toHaveProperty('details');
  });

  it('maps a spent extension to 409 and an unknown cart to 404 RESERVATION_NOT_FOUND', () => {
    expect(toErrorBody(new HoldLifetimeExceededError('no'), 'r').body).toMatchObject({
      statusCode: 409,
      code: 'HOLD_LIFETIME_EXCEEDED',
    });
    expect(toErrorBody(new CartGroupNotFoundError('g1'), 'r').body).toMatchObject({
      statusCode: 404,
      code: 'RESERVATION_NOT_FOUND',
      message: 'Cart hold g1 does not exist',
    });
  });
});
