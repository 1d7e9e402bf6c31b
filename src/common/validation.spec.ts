import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { createValidationPipe, isPrintableText, reservedKeys, unknownKeys } from './validation';

class Line {
  @IsString()
  variantId!: string;
}

class Cart {
  @IsInt()
  quantity!: number;

  @ValidateNested({ each: true })
  @Type(() => Line)
  lines!: Line[];
}

describe('validation helpers', () => {
  it('finds unknown keys, built-in names included, through nested DTOs', () => {
    const body = JSON.parse(
      '{"quantity":1,"toString":1,"lines":[{"variantId":"a","valueOf":2},{"variantId":"b","x":3}]}',
    ) as Record<string, unknown>;
    expect(unknownKeys(body, Cart)).toEqual(['toString', 'lines.0.valueOf', 'lines.1.x']);
  });

  it('finds reserved key names at any depth', () => {
    const body = JSON.parse('{"a":{"constructor":1,"b":[{"hasOwnProperty":2}]}}') as object;
    expect(reservedKeys(body)).toEqual(['a.constructor', 'a.b.0.hasOwnProperty']);
  });

  it('tells printable text from control characters and lone surrogates', () => {
    expect(isPrintableText('Crème brûlée 🍮')).toBe(true);
    for (const bad of ['a\u0000', 'a\tb', '\u007f', '\u009b', '\ud800', 'x\udfff']) {
      expect(isPrintableText(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('leaves bodies typed as plain objects to the handler', async () => {
    const value = { anything: 1 };
    await expect(
      createValidationPipe().transform(value, { type: 'body', metatype: Object }),
    ).resolves.toEqual(value);
  });
});
