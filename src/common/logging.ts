import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * JSON logs through pino: one line per request with the request id (the same id Fastify echoes in
 * X-Request-Id and error bodies). Credentials never reach a log line.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // Fastify sets the raw request's id from X-Request-Id (or a UUID); reuse it so lines match.
      genReqId: (request: IncomingMessage) =>
        (request as IncomingMessage & { id?: string }).id ?? '',
      autoLogging: {
        // originalUrl: the middleware layer may rewrite request.url before the response is logged.
        ignore: (request: IncomingMessage & { originalUrl?: string }) =>
          QUIET_PATHS.test(request.originalUrl ?? request.url ?? ''),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      // The serializers below get the raw request and response. pino-http's default wrapping first
      // builds pino-std-serializers' full request and response objects (headers included) on
      // every request, only for these to pick a few fields: 3–9% of the CPU of a reservation or
      // inventory request, as measured in docs/benchmarks.md. The fields logged are the same.
      wrapSerializers: false,
      serializers: {
        req: (request: IncomingMessage & { id?: string; originalUrl?: string }) => ({
          id: request.id,
          method: request.method,
          // The path as the client sent it (what the wrapped serializer logged), since the
          // middleware layer may rewrite request.url.
          url: request.originalUrl ?? request.url,
        }),
        res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500
          ? 'error'
          : response.statusCode >= 400
            ? 'info'
            : 'info',
    },
  };
}
