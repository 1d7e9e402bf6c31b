import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_FOR_STATUS } from '../common/errors/error-body';
import { ERROR_CODES } from './response-schemas';

/** The `code` literals a source file answers with (`readonly code = 'X'` or `code: 'X'`). */
function codesIn(file: string): string[] {
  const source = readFileSync(join(__dirname, '..', file), 'utf8');
  return [...source.matchAll(/\bcode(?: =|:) '([A-Z_]+)'/g)].map((match) => match[1]);
}

describe('the ErrorBody code enum', () => {
  it('lists every code a domain error, the framework mapping or the client-error handler answers', () => {
    const answered = new Set([
      ...codesIn('common/errors/domain-errors.ts'),
      ...codesIn('common/http/client-errors.ts'),
      ...codesIn('common/errors/to-error-body.ts'),
      ...Object.values(CODE_FOR_STATUS),
    ]);
    // NOT_ATTEMPTED is a refused cart line's reason (RefusedCartLine.code), not an answer's code.
    answered.delete('NOT_ATTEMPTED');
    expect(answered.size).toBeGreaterThan(20);
    expect([...answered].filter((code) => !ERROR_CODES.includes(code as never))).toEqual([]);
  });
});
