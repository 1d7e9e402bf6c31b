import type { FastifyInstance } from 'fastify';
import { ValidationFailedError } from '../errors/domain-errors';

/**
 * Deepest nesting of objects and arrays a body may have. The deepest body any route accepts is
 * 3 levels (a cart's lines); 32 leaves room, and stays far below the depth at which
 * class-transformer's recursion overflows the stack (a 500 after ~35 ms of CPU, thousands deep).
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text nests deeper than `maxDepth`. One pass over the characters, no
 * allocation: brackets inside strings are skipped. Malformed text is left to the parser.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * The only body parser: `application/json`, with Fastify's own safe parser (a `__proto__` or
 * `constructor.prototype` key is refused) behind a nesting-depth check that runs first, in
 * microseconds. Every other content type — text/plain, forms, anything — has no parser, so
 * Fastify answers 415 before reading the body (Nest's own JSON and form parsers are not
 * registered: createApp passes `bodyParser: false`).
 *
 * A request that declares an empty body (`Content-Length: 0`) is treated as having none,
 * whatever its Content-Type: some HTTP clients label every POST as a form, and a commit with no
 * body has nothing to refuse.
 */
export function useJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const { headers } = request;
    if (headers['content-length'] === '0' && headers['transfer-encoding'] === undefined) {
      delete headers['content-type'];
    }
    done();
  });
  fastify.removeAllContentTypeParsers();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const text = body as string;
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(new ValidationFailedError(`Body nests deeper than ${MAX_JSON_DEPTH} levels`));
        return;
      }
      parse(request, text, done);
    },
  );
}
