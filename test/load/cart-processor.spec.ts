import { describe, expect, it } from 'vitest';
import {
  cartOutcome,
  countCart,
  firstCartBody,
  firstCartHeld,
  planCartRequests,
  secondCartBody,
} from './cart-processor.mjs';

function virtualUser() {
  const context = {
    vars: {
      policy: 'best_effort',
      first: '0x2.2x1',
      second: '1x3',
      variantIds: 'va,vb,vc',
    } as Record<string, unknown>,
  };
  planCartRequests(context, undefined, () => undefined);
  return context;
}

describe('cart-rush hooks', () => {
  it('turns the payload row into the two carts’ request bodies', () => {
    const context = virtualUser();
    const first: Record<string, unknown> = {};
    const second: Record<string, unknown> = {};
    firstCartBody(first, context, undefined, () => undefined);
    secondCartBody(second, context, undefined, () => undefined);
    expect(first.json).toEqual({
      lines: [
        { variantId: 'va', quantity: 2 },
        { variantId: 'vc', quantity: 1 },
      ],
      policy: 'best_effort',
    });
    expect(second.json).toEqual({
      lines: [{ variantId: 'vb', quantity: 3 }],
      policy: 'best_effort',
    });
  });

  it('labels answers held, partial or by error code, with the units held', () => {
    const lines = [
      { variantId: 'va', quantity: 2, status: 'held' },
      { variantId: 'vc', quantity: 1, status: 'refused', code: 'OUT_OF_STOCK' },
    ];
    expect(cartOutcome(201, JSON.stringify({ groupId: 'g1', lines }))).toEqual({
      outcome: 'partial',
      units: 2,
      groupId: 'g1',
    });
    expect(cartOutcome(201, { groupId: 'g2', lines: [lines[0]] })).toMatchObject({
      outcome: 'held',
      units: 2,
    });
    expect(cartOutcome(409, '{"code":"PURCHASE_LIMIT_EXCEEDED"}')).toEqual({
      outcome: 'PURCHASE_LIMIT_EXCEEDED',
      units: 0,
      groupId: '',
    });
    expect(cartOutcome(502, '<html>')).toMatchObject({ outcome: '502', units: 0 });
  });

  it('counts each answer and the units, and commits only a cart that held something', () => {
    const context = virtualUser();
    const emitted: unknown[][] = [];
    const events = { emit: (...args: unknown[]) => emitted.push(args) };
    expect(firstCartHeld(context.vars)).toBe(false);
    const body = JSON.stringify({ groupId: 'g1', lines: [{ quantity: 3, status: 'held' }] });
    countCart({}, { statusCode: 201, body }, context, events, () => undefined);
    expect(emitted).toEqual([
      ['counter', 'stockhold.cart.best_effort.held', 1],
      ['counter', 'stockhold.cart.units', 3],
    ]);
    expect(firstCartHeld(context.vars)).toBe(true);
    countCart(
      {},
      { statusCode: 409, body: '{"code":"OUT_OF_STOCK"}' },
      context,
      events,
      () => undefined,
    );
    expect(emitted.at(-1)).toEqual(['counter', 'stockhold.cart.best_effort.OUT_OF_STOCK', 1]);
    expect(firstCartHeld(context.vars)).toBe(false);
  });
});
