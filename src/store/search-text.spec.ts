import { describe, expect, it } from 'vitest';
import { matchesWords, searchWords, textSearchString, tokenize } from './search-text';

describe('search text rules (MongoDB $text, language none, one phrase per word)', () => {
  it('tokenizes like the text index: case and accents folded, punctuation splits, _ does not', () => {
    expect(tokenize('Café-Crème IPH15_PRO/256 GB')).toEqual([
      'cafe',
      'creme',
      'iph15_pro',
      '256',
      'gb',
    ]);
  });

  it('keeps the words that have a token, at most 20, without quotes or backslashes', () => {
    expect(searchWords('  red  "tee"  -- \\\\ ')).toEqual(['red', 'tee']);
    expect(searchWords('a'.repeat(1) + ' b'.repeat(30))).toHaveLength(20);
    expect(searchWords('!!! ---')).toEqual([]);
  });

  it('builds one quoted phrase per word, which MongoDB ANDs', () => {
    expect(textSearchString(['red', 'iph15-pro'])).toBe('"red" "iph15-pro"');
  });

  it('matches when every word is in the title or the SKU, in any case', () => {
    const tee = { title: 'Red Tee', sku: 'TEE-RED-M' };
    expect(matchesWords(tee, ['RED', 'tee'])).toBe(true);
    expect(matchesWords(tee, ['tee-red-m'])).toBe(true);
    expect(matchesWords(tee, ['red', 'blue'])).toBe(false);
    expect(matchesWords({ title: 'Crème brûlée', sku: 'X' }, ['creme'])).toBe(true);
  });

  it('needs a whole token somewhere, as the text index does: a word inside a longer one alone is no match', () => {
    expect(matchesWords({ title: 'Teeshirt', sku: 'X' }, ['tee'])).toBe(false);
  });
});
