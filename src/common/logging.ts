import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { readableDestination } from './readable-log';

const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/** Lines are written once this much is buffered, or after LOG_FLUSH_MS, whichever comes first. */
const LOG_BATCH_BYTES = 8192;
const LOG_FLUSH_MS = 250;

/**
 * The process's one pino logger. In development, readable lines (readable-log.ts); elsewhere JSON
 * lines on stdout, written asynchronously in batches of 8 KiB
 * or every 250 ms (sonic-boom). A busy service makes one write per ~30 lines instead of one per
 * request (docs/benchmarks.md); a quiet one shows each line within a quarter of a second. pino
 * flushes what is pending when the process exits; a SIGKILL can lose the last quarter second.
 * Credentials never reach a line: request lines carry no headers, and nothing else logs them.
 */
export function createLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
    },
    destination ?? (config.nodeEnv === 'development' ? readableDestination() : batchedStdout()),
  );
}

/**
 * stdout through sonic-boom (pino.destination) in its buffer mode, each line handed over as a
 * Buffer. In its text mode sonic-boom appends every line to one growing string and measures that
 * string's UTF-8 length on each write, which flattens (copies) all that is buffered so far: with
 * 8 KiB batches that was ~8 KB allocated per request line (`scripts/bench/counts/count.sh . 40000
 * SCENARIO=sold-out`: 31.8 KB per request at LOG_LEVEL=info against 23.9 KB at warn). In buffer
 * mode it keeps the lines in a list and concatenates them once per write. pino.destination also
 * registers the flush on exit for the sonic-boom stream itself, so nothing changes there.
 */
function batchedStdout(): DestinationStream {
  const sonic = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BATCH_BYTES,
    periodicFlush: LOG_FLUSH_MS,
    contentMode: 'buffer',
  });
  return {
    write: (line: string) => sonic.write(Buffer.from(line) as unknown as string),
    flush: (callback?: (error?: Error) => void) => sonic.flush(callback),
  } as DestinationStream;
}

/**
 * Nest's start-up chatter (each module loaded, each route mapped: some forty lines) is for
 * debugging a wiring problem; at info the start shows only what an operator needs.
 */
const NEST_BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Query parameters whose values are credentials, by name (any case, anywhere in the name). */
const SENSITIVE_QUERY_NAME =
  /token|secret|pass(word|wd)?|key|auth|sig(nature)?|jwt|session|cookie|credential/i;

/**
 * The URL as it may be logged: the value of every query parameter whose name looks like a
 * credential (`access_token`, `token`, `api_key`, `password`, …) becomes `[REDACTED]`. Clients
 * that put a token in the query string would otherwise leave it in every log line.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const parameters = url
    .slice(queryStart + 1)
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      const rawName = equals === -1 ? parameter : parameter.slice(0, equals);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // An undecodable name is judged as written.
      }
      return equals !== -1 && SENSITIVE_QUERY_NAME.test(name) ? `${rawName}=[REDACTED]` : parameter;
    });
  return `${url.slice(0, queryStart)}?${parameters.join('&')}`;
}

/**
 * One line per answered request, written from Fastify's onResponse hook: the request id (the
 * same id echoed in X-Request-Id and error bodies), method, path, status and time taken.
 * Health probes and metric scrapes are not logged; credential-like query values are redacted.
 *
 * Why a hook and not pino-http through Nest's middleware layer: that route cost 35–45% of the
 * CPU of a reservation request (middie plus AsyncLocalStorage on every promise), as measured in
 * docs/benchmarks.md; this line costs a few microseconds.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!QUIET_PATHS.test(request.url)) {
      const status = reply.statusCode;
      const line = {
        req: { id: request.id, method: request.method, url: redactUrl(request.url) },
        res: { statusCode: status },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    }
    done();
  });
}

/** Nest's own messages (boot, shutdown, warnings from providers) through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    const boot = typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context);
    this.write(boot ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes the context last; an error's stack, when given, comes before it. */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
      return;
    }
    const stack = rest.find((item) => typeof item === 'string');
    if (stack) fields.stack = stack;
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
