import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../errors/error-body';

/**
 * Failures found before a request reaches the router still answer in the one error shape, with a
 * request id in the body and in X-Request-Id:
 *   - Node's HTTP parser (`clientError`): 408 when the request took longer than REQUEST_TIMEOUT_MS,
 *     431 when the headers are too large, 400 for anything that is not valid HTTP;
 *   - Fastify's framework errors: a URL that cannot be decoded (400), a path parameter over
 *     100 characters (414).
 */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: `The request was not received in time`,
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'Request headers are too large',
  },
};

const MALFORMED = { status: 400, code: 'VALIDATION_FAILED', message: 'Request is not valid HTTP' };

/** The raw response a socket gets when Node's HTTP parser refuses what it was sent. */
export function clientErrorResponse(error: NodeJS.ErrnoException, requestId: string): string {
  const { status, code, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body: ErrorBody = { statusCode: status, code, message, requestId };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    '\r\n' +
    json
  );
}

/**
 * Fastify's `clientErrorHandler`. A reset connection has nobody left to answer; otherwise the
 * answer is written straight to the socket (there is no request object yet) and the socket closed.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(clientErrorResponse(error, randomUUID()));
  socket.destroy();
}

const FRAMEWORK_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_BAD_URL: { code: 'VALIDATION_FAILED', message: 'The URL cannot be decoded' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    message: 'A path parameter is longer than 100 characters',
  },
};

/**
 * Fastify's `frameworkErrors`: errors raised while routing, before any handler or hook. Messages
 * are fixed texts: Fastify's own repeat the URL, which is the client's input.
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 400;
  const known = FRAMEWORK_ERRORS[error.code];
  const body: ErrorBody = {
    statusCode: status,
    code: known?.code ?? (status === 400 ? 'VALIDATION_FAILED' : 'HTTP_ERROR'),
    message: known?.message ?? STATUS_CODES[status] ?? 'Request refused',
    requestId: String(request.id),
  };
  void reply.code(status).header('X-Request-Id', request.id).send(body);
}
