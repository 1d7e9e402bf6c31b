import { describe, expect, it } from 'vitest';
import { countByRole, nextAttempt, planAttempts } from './processor.mjs';

function virtualUser(role: string) {
  return {
    vars: {
      role,
      botAttempts: '8',
      saleVariantId: 'sale',
      sideVariantIds: 'side-1,side-2',
    } as Record<string, unknown>,
  };
}

/** Runs the loop as artillery does: an attempt, then `whileTrue`, until it says stop. */
function attempts(role: string): string[] {
  const context = virtualUser(role);
  planAttempts(context, undefined, () => undefined);
  const targets: string[] = [];
  let again = true;
  while (again) {
    targets.push(context.vars.targetVariantId as string);
    nextAttempt(context, (decision: boolean) => (again = decision));
  }
  return targets;
}

describe('bot-hoarding hooks', () => {
  it('makes a bot cycle over the sale and side variants for its attempts', () => {
    expect(attempts('bot')).toEqual([
      'sale',
      'side-1',
      'side-2',
      'sale',
      'side-1',
      'side-2',
      'sale',
      'side-1',
    ]);
  });

  it('gives a real shopper one attempt at the sale variant', () => {
    expect(attempts('shopper')).toEqual(['sale']);
  });

  it('counts answers per role', () => {
    const emitted: unknown[][] = [];
    const events = { emit: (...args: unknown[]) => emitted.push(args) };
    countByRole({}, { statusCode: 429 }, virtualUser('bot'), events, () => undefined);
    expect(emitted).toEqual([['counter', 'stockhold.bot.429', 1]]);
  });
});
