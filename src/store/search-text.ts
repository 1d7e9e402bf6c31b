/**
 * How a search query's words match a search document, shared by both adapters so they answer
 * alike. The rules are MongoDB's `$text` with one quoted phrase per word on a text index with
 * `default_language: 'none'` (no stemming, no stop words), case- and diacritic-insensitive:
 * a document is a candidate when it has at least one of the query's tokens, and it matches when
 * every word occurs in its title or in its SKU.
 */

/** Characters MongoDB's text tokenizer splits on: anything but letters, digits, marks and `_`. */
const DELIMITERS = /[^\p{L}\p{N}\p{M}_]+/u;
/** Quotes and backslashes would end or escape the quoted phrase each word becomes in `$search`. */
const PHRASE_BREAKERS = /["\\]/g;
const MAX_WORDS = 20;

/** Lower case, accents removed: what the text index compares. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function tokenize(text: string): string[] {
  return foldText(text)
    .split(DELIMITERS)
    .filter((token) => token.length > 0);
}

/**
 * The query's words, each with at least one token (a word that is only punctuation cannot
 * match anything and is dropped). At most MAX_WORDS, so one request cannot ask for an
 * unbounded number of phrase checks.
 */
export function searchWords(q: string): string[] {
  return q
    .replace(PHRASE_BREAKERS, ' ')
    .split(/\s+/)
    .filter((word) => tokenize(word).length > 0)
    .slice(0, MAX_WORDS);
}

/** The `$search` string: one quoted phrase per word (MongoDB ANDs phrases, ORs bare terms). */
export function textSearchString(words: string[]): string {
  return words.map((word) => `"${word}"`).join(' ');
}

/** The reference implementation of the rules above (the memory store's search). */
export function matchesWords(document: { title: string; sku: string }, words: string[]): boolean {
  const title = foldText(document.title);
  const sku = foldText(document.sku);
  const documentTokens = new Set([...tokenize(document.title), ...tokenize(document.sku)]);
  const candidate = words.some((word) => tokenize(word).some((token) => documentTokens.has(token)));
  return (
    candidate &&
    words.every((word) => {
      const folded = foldText(word);
      return title.includes(folded) || sku.includes(folded);
    })
  );
}
