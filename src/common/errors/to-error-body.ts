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
 * MongoDB driver errors are recognised by shape, never by importing the driver, so this layer stays
 * free of a database dependency. What mongodb 7.8's lib/error.js gives them: `name` (a getter per
 * class, e.g. 'MongoServerError'), a numeric `code` on server errors, and error labels behind
 * `hasErrorLabel(label)` (also listed by the `errorLabels` getter).
 */
interface DriverErrorLike extends Error {
  code?: unknown;
  errorLabels?: unknown;
  hasErrorLabel?: (label: string) => boolean;
}

/** Classes that mean "the database cannot be reached right now"; the retryable answer is a 503. */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoOperationTimeoutError',
]);

/** Labels the server or driver puts on errors that a later try can get past. */
const RETRYABLE_LABELS = ['TransientTransactionError', 'RetryableWriteError'];

/**
 * Server codes of transient and failover failures: WriteConflict 112, LockTimeout 24,
 * NoSuchTransaction 251 (what withTransaction rethrows once it gives up), NotWritablePrimary 10107,
 * InterruptedDueToReplStateChange 11602, PrimarySteppedDown 189, ShutdownInProgress 91,
 * MaxTimeMSExpired 50.
 */
const TRANSIENT_CODES = new Set([112, 24, 251, 10107, 11602, 189, 91, 50]);

function hasLabel(error: DriverErrorLike, label: string): boolean {
  if (typeof error.hasErrorLabel === 'function') return error.hasErrorLabel(label);
  return Array.isArray(error.errorLabels) && error.errorLabels.includes(label);
}

/** How a driver error is answered, or undefined when it is not one this layer knows. */
function classifyDriverError(error: unknown): 'outcome-unknown' | 'unavailable' | undefined {
  if (!(error instanceof Error) || !error.name.startsWith('Mongo')) return undefined;
  const driverError = error as DriverErrorLike;
  // A write concern error, or a commit whose result never came back, may have applied the write.
  if (
    error.name === 'MongoWriteConcernError' ||
    hasLabel(driverError, 'UnknownTransactionCommitResult')
  ) {
    return 'outcome-unknown';
  }
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return 'unavailable';
  if (RETRYABLE_LABELS.some((label) => hasLabel(driverError, label))) return 'unavailable';
  if (typeof driverError.code === 'number' && TRANSIENT_CODES.has(driverError.code)) {
    return 'unavailable';
  }
  return undefined;
}

const UNAVAILABLE_MESSAGES = {
  unavailable: 'The database is unavailable; retry shortly',
  'outcome-unknown':
    'The database did not confirm the change, so its outcome is unknown: read the current state ' +
    'before retrying (a stock adjustment with expectedVersion is safe to retry)',
} as const;

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
  const driverFailure = classifyDriverError(error);
  if (driverFailure) {
    return {
      body: {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: UNAVAILABLE_MESSAGES[driverFailure],
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
