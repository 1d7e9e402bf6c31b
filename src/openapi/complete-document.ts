import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config';
import { OPERATIONS, type OperationAnswers } from './operations';
import { RESPONSE_SCHEMAS } from './response-schemas';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Path parameters the service reads as ObjectIds; upper-case hex is accepted and lower-cased. */
const ID_PARAM_PATTERN = '^[0-9a-fA-F]{24}$';

const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    required: true,
    description:
      'The request id: the caller’s X-Request-Id when it is 1–128 of [A-Za-z0-9._:-], else a new UUID. Also in error bodies and log lines',
    schema: { type: 'string' },
  },
  'Retry-After': {
    required: true,
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', minimum: 0 },
  },
  'Idempotent-Replayed': {
    description: 'true when the answer replays an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Error statuses every operation of a kind can give, besides those it lists itself. */
function genericErrors(answers: OperationAnswers, method: string): Record<number, string> {
  const errors: Record<number, string> = {
    500: 'INTERNAL_ERROR: a fault of the service (logged with the request id)',
  };
  if (answers.guarded) {
    errors[400] = 'VALIDATION_FAILED: the URL cannot be decoded';
    errors[401] = 'UNAUTHORIZED: no, malformed, expired or wrongly signed bearer token';
    errors[429] =
      'RATE_LIMIT_EXCEEDED: the per-address limit (or, on reserve routes, the per-shopper one)';
    errors[503] =
      'SERVICE_UNAVAILABLE: the database is unavailable or did not confirm a change, the request ' +
      'deadline passed, or too many requests wait on one variant';
  }
  // Fastify reads a body on every method but GET and HEAD (lib/handle-request.js, bodyless).
  if (method !== 'get') {
    errors[400] =
      'VALIDATION_FAILED: the body is not JSON or breaks a rule (`details` lists each problem)';
    errors[408] = 'REQUEST_TIMEOUT: the body did not arrive within REQUEST_TIMEOUT_MS';
    errors[413] = 'PAYLOAD_TOO_LARGE: the body is over 16 KiB';
    errors[415] = 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json';
  }
  if (answers.idParam) {
    errors[400] = `${errors[400] ?? 'VALIDATION_FAILED'}; the id is not a 24-hex ObjectId`;
    errors[414] = 'URI_TOO_LONG: a path parameter over 100 characters';
  }
  return errors;
}

function errorResponse(status: number, description: string): ResponseObject {
  const headers: Record<string, unknown> = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (status === 429 || status === 503) headers['Retry-After'] = headerRef('Retry-After');
  return {
    description,
    headers: headers as ResponseObject['headers'],
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
}

function successResponse(
  success: { status: number; schema?: string; description: string; contentType?: string },
  idempotent: boolean,
): ResponseObject {
  const headers: Record<string, unknown> = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (idempotent && success.status === 201) {
    headers['Idempotent-Replayed'] = headerRef('Idempotent-Replayed');
  }
  if (success.schema === undefined) {
    return { description: success.description, headers: headers as ResponseObject['headers'] };
  }
  return {
    description: success.description,
    headers: headers as ResponseObject['headers'],
    content: {
      [success.contentType ?? 'application/json']: {
        schema: { $ref: `#/components/schemas/${success.schema}` },
      },
    },
  };
}

function responsesFor(answers: OperationAnswers, method: string): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {
    [answers.success.status]: successResponse(answers.success, answers.idempotent ?? false),
  };
  for (const extra of answers.alsoSuccess ?? []) {
    responses[extra.status] = successResponse(extra, false);
  }
  const errors = genericErrors(answers, method);
  for (const [status, description] of Object.entries(answers.errors)) {
    const generic = errors[Number(status)];
    errors[Number(status)] =
      generic && generic !== description ? `${description}; ${generic}` : description;
  }
  for (const status of Object.keys(errors)
    .map(Number)
    .sort((a, b) => a - b)) {
    responses[status] = errorResponse(status, errors[status]);
  }
  return responses;
}

function schemaProperty(
  document: OpenAPIObject,
  schema: string,
  property: string,
): SchemaObject | undefined {
  const target = document.components?.schemas?.[schema] as SchemaObject | undefined;
  return target?.properties?.[property] as SchemaObject | undefined;
}

/** Limits that depend on configuration are written as this process enforces them. */
function applyConfiguredLimits(document: OpenAPIObject, config: AppConfig): void {
  for (const dto of ['ReserveDto', 'CartLineDto', 'JoinWaitlistDto']) {
    const quantity = schemaProperty(document, dto, 'quantity');
    if (quantity) {
      quantity.maximum = config.maxQuantityPerReservation;
      quantity.description = `At most MAX_QUANTITY_PER_RESERVATION (${config.maxQuantityPerReservation} here)`;
    }
  }
  const lines = schemaProperty(document, 'ReserveCartDto', 'lines');
  if (lines) {
    lines.description =
      `Lines naming the same variant are summed first; at most MAX_ACTIVE_RESERVATIONS ` +
      `(${config.maxActiveReservations} here) variants, each summed quantity at most ` +
      `MAX_QUANTITY_PER_RESERVATION (${config.maxQuantityPerReservation} here)`;
  }
}

/**
 * Completes what Nest's scanner builds from the decorators: the response and error schemas of every
 * operation, the headers, id patterns and limits of the running configuration. Throws when a route
 * has no entry in OPERATIONS, so a new route cannot ship undocumented.
 */
export function completeDocument(document: OpenAPIObject, config: AppConfig): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    ...RESPONSE_SCHEMAS,
    PrometheusText: { type: 'string', description: 'Prometheus text exposition format 0.0.4' },
    AvailabilityEventStream: {
      type: 'string',
      description:
        'Server-Sent Events: `id: <version>` and `data: {"availableStock": n, "version": v}` per ' +
        'change (at most one per LIVE_COALESCE_MS), comment lines as heartbeats',
    },
  };
  document.components.headers = { ...document.components.headers, ...HEADERS };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const answers = OPERATIONS[key];
      if (!answers) throw new Error(`OpenAPI: no responses documented for ${key}`);
      operation.responses = responsesFor(answers, method);
      for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
        if (parameter.in === 'path' && parameter.schema && !('$ref' in parameter.schema)) {
          parameter.schema.pattern = ID_PARAM_PATTERN;
        }
      }
    }
  }
  applyConfiguredLimits(document, config);
  return document;
}
