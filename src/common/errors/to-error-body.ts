import { HttpException } from '@nestjs/common';
import { CartRefusedError, DomainError, ValidationFailedError } from './domain-errors';
import { CODE_FOR_STATUS, ErrorBody } from './error-body';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Fastify's own errors (body parsing, body limit) carry a statusCode and an FST_ code. */
function isFastifyError(error: unknown): error is FastifyLikeError & Error {
  return (
    error instanceof Error &&
    typeof (error as FastifyLikeError).statusCode === 'number' &&
    typeof (error as FastifyLikeError).code === 'string' &&
    (error as FastifyLikeError).code!.startsWith('FST_')
  );
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is larger than 16 KiB',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Body must be a JSON object; it was empty',
};

/**
 * Driver errors that mean "the database cannot be reached right now". Matched by name so this
 * layer needs no database import; the answer is a retryable 503, not a 500.
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoWriteConcernError',
]);

export interface MappedError {
  body: ErrorBody;
  headers: Record<string, string>;
  /** True for failures the service did not anticipate (logged with their stack). */
  unexpected: boolean;
}

/** Maps any thrown value to the one error shape. Unknown errors become a 500 with no internals. */
export function toErrorBody(error: unknown, requestId: string): MappedError {
  if (error instanceof DomainError) {
    const body: ErrorBody = {
      statusCode: error.statusCode,
      code: error.code,
      message: error.message,
      requestId,
    };
    if (error instanceof ValidationFailedError && error.details.length > 0) {
      body.details = error.details;
    }
    if (error instanceof CartRefusedError) body.details = error.details;
    return { body, headers: error.headers, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return {
      body: {
        statusCode: status,
        code: CODE_FOR_STATUS[status] ?? 'HTTP_ERROR',
        message,
        requestId,
      },
      headers: {},
      unexpected: status >= 500,
    };
  }
  if (isFastifyError(error)) {
    const status = error.statusCode!;
    const code =
      CODE_FOR_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
    const message =
      FASTIFY_MESSAGES[error.code!] ??
      (error.code === 'FST_ERR_CTP_INVALID_JSON' || error instanceof SyntaxError
        ? 'Body is not valid JSON'
        : error.message);
    return {
      body: { statusCode: status, code, message, requestId },
      headers: {},
      unexpected: status >= 500,
    };
  }
  if (error instanceof Error && UNAVAILABLE_ERROR_NAMES.has(error.name)) {
    return {
      body: {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'The database is unavailable; retry shortly',
        requestId,
      },
      headers: { 'Retry-After': '1' },
      unexpected: true,
    };
  }
  if (error instanceof SyntaxError) {
    // Fastify's JSON parser throws a plain SyntaxError with statusCode 400 on malformed bodies.
    return {
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: 'Body is not valid JSON',
        requestId,
      },
      headers: {},
      unexpected: false,
    };
  }
  return {
    body: { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', requestId },
    headers: {},
    unexpected: true,
  };
}
