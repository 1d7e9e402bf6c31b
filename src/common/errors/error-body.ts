import type { RefusedCartLine } from './domain-errors';

/** The one error shape every failure is answered with. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
  /** Per-field problems for VALIDATION_FAILED; per-line outcomes for a refused cart hold. */
  details?: string[] | RefusedCartLine[];
}

/** Stable codes for HTTP statuses that do not come from a DomainError (framework-level failures). */
export const CODE_FOR_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE',
};
