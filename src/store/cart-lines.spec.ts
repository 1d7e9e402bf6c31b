import { describe, expect, it } from 'vitest';
import { sumCartLines } from './cart-lines';

describe('sumCartLines', () => {
  it('sums lines naming one variant (in any letter case), in order of first appearance', () => {
    expect(
      sumCartLines([
        { variantId: 'bbbbbbbbbbbbbbbbbbbbbbbb', quantity: 2 },
        { variantId: 'aaaaaaaaaaaaaaaaaaaaaaaa', quantity: 1 },
        { variantId: 'BBBBBBBBBBBBBBBBBBBBBBBB', quantity: 2 },
      ]),
    ).toEqual([
      { variantId: 'bbbbbbbbbbbbbbbbbbbbbbbb', quantity: 4 },
      { variantId: 'aaaaaaaaaaaaaaaaaaaaaaaa', quantity: 1 },
    ]);
  });

  it('leaves distinct lines as they are', () => {
    const lines = [
      { variantId: 'aaaaaaaaaaaaaaaaaaaaaaaa', quantity: 1 },
      { variantId: 'cccccccccccccccccccccccc', quantity: 3 },
    ];
    expect(sumCartLines(lines)).toEqual(lines);
  });
});
