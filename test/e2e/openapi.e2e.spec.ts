import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/openapi/operations';
import { OpenApiValidator } from '../helpers/openapi-validator';
import { startTestApp, type TestApp } from '../helpers/test-app';

/* eslint-disable @typescript-eslint/no-explicit-any -- the served document is plain JSON */

describe('the served OpenAPI document', () => {
  let testApp: TestApp;
  let document: any;

  beforeAll(async () => {
    testApp = await startTestApp({
      env: { MAX_QUANTITY_PER_RESERVATION: '7', MAX_ACTIVE_RESERVATIONS: '4' },
    });
    document = (await testApp.request('GET', '/docs-json')).body;
  });
  afterAll(() => testApp.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]: [string, any]) =>
      Object.entries(item).map(([method, operation]) => ({
        path,
        method,
        operation: operation as any,
      })),
    );

  it('passes the OpenAPI validator of @apidevtools/swagger-parser', async () => {
    // validate() dereferences in place: it gets its own copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('lists every route, the probes and the metrics scrape included', () => {
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/health/live',
        '/health/ready',
        '/metrics',
        '/v1/reservations',
        '/v1/reservations/batch',
        '/v1/admin/variants/{id}/stock',
        '/v1/search',
      ]),
    );
    // Both ways: no route without its answers, and no stale entry for a route that is gone.
    expect(
      operations()
        .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
        .sort(),
    ).toEqual(Object.keys(OPERATIONS).sort());
  });

  it('gives every operation a success schema and the error body on every error status', () => {
    for (const { path, method, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      const success = statuses.filter((status) => status.startsWith('2'));
      expect(success, `${method} ${path}`).toHaveLength(1);
      const content = operation.responses[success[0]].content;
      // A 204 has no body, so no schema; every other success has one.
      if (success[0] === '204') expect(content, `${method} ${path}`).toBeUndefined();
      else expect(Object.values(content)[0], `${method} ${path}`).toHaveProperty('schema.$ref');
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        if (path === '/health/ready' && status === '503') continue;
        expect(
          operation.responses[status].content['application/json'].schema.$ref,
          `${method} ${path} ${status}`,
        ).toBe('#/components/schemas/ErrorBody');
      }
      if (path.startsWith('/v1/')) {
        expect(statuses, `${method} ${path}`).toEqual(
          expect.arrayContaining(['401', '429', '500', '503']),
        );
        expect(operation.responses['429'].headers).toHaveProperty('Retry-After');
      }
      expect(operation.responses[success[0]].headers).toHaveProperty('X-Request-Id');
    }
    const reserve = document.paths['/v1/reservations'].post.responses;
    expect(reserve['201'].headers).toHaveProperty('Idempotent-Replayed');
    expect(Object.keys(reserve)).toEqual(expect.arrayContaining(['404', '409', '422']));
  });

  it('describes integer prices, date-time fields, ObjectId ids and the configured limits', () => {
    const schemas = document.components.schemas;
    expect(schemas.Variant.properties.price).toMatchObject({ type: 'integer' });
    expect(schemas.CreateVariantDto.properties.price).toMatchObject({ type: 'integer' });
    expect(schemas.CreateVariantDto.properties.saleStartsAt).toMatchObject({
      format: 'date-time',
    });
    expect(schemas.Reservation.properties.expiresAt).toMatchObject({ format: 'date-time' });
    expect(schemas.Reservation.properties.id).toMatchObject({ pattern: '^[0-9a-f]{24}$' });
    expect(schemas.ErrorBody.properties.code.enum).toEqual(
      expect.arrayContaining(['OUT_OF_STOCK', 'SKU_EXISTS', 'RATE_LIMIT_EXCEEDED']),
    );
    expect(schemas.ReserveDto.properties.quantity.maximum).toBe(7);
    expect(schemas.CartLineDto.properties.quantity.maximum).toBe(7);
    const idParameter = document.paths['/v1/variants/{id}'].get.parameters.find(
      (parameter: any) => parameter.name === 'id',
    );
    expect(idParameter.schema.pattern).toBe('^[0-9a-fA-F]{24}$');
  });
});

describe('the e2e response check', () => {
  let testApp: TestApp;
  let validator: OpenApiValidator;

  beforeAll(async () => {
    testApp = await startTestApp();
    validator = new OpenApiValidator((await testApp.request('GET', '/docs-json')).body);
  });
  afterAll(() => testApp.close());

  const headers = new Headers({ 'x-request-id': 'r1' });

  it('refuses a status the operation does not document', () => {
    expect(() =>
      validator.check('GET', '/health/live', { status: 418, headers, body: {} }),
    ).toThrow(/not a documented status/);
  });

  it('refuses a body that breaks the schema, and a missing required header', () => {
    expect(() =>
      validator.check('GET', '/health/live', { status: 200, headers, body: { status: 'fine' } }),
    ).toThrow(/does not match its schema/);
    expect(() =>
      validator.check('GET', '/health/live', {
        status: 200,
        headers: new Headers(),
        body: { status: 'ok' },
      }),
    ).toThrow(/X-Request-Id/);
  });

  it('finds operations by route template, literal segments first', () => {
    const error = { statusCode: 409, code: 'OUT_OF_STOCK', message: 'm', requestId: 'r1' };
    const retry = new Headers({ 'x-request-id': 'r1' });
    // POST /v1/reservations/batch documents 409; a template match on {id} would know no POST.
    expect(() =>
      validator.check('POST', '/v1/reservations/batch', {
        status: 409,
        headers: retry,
        body: error,
      }),
    ).not.toThrow();
    expect(() =>
      validator.check('GET', '/v1/variants/66f0c0ffee0000000000abcd', {
        status: 409,
        headers: retry,
        body: error,
      }),
    ).toThrow(/not a documented status/);
  });
});
