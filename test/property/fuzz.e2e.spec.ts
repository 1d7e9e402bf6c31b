import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

interface Route {
  method: string;
  path: string;
}

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
];

/** JSON text: any JSON value, sometimes with prototype-named keys spliced in, sometimes very deep. */
const jsonText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 4,
        }),
        fc.constantFrom(...PROTO_KEYS),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([object, key, value]) => {
        const rest = JSON.stringify(object).slice(1);
        return `{${JSON.stringify(key)}:${JSON.stringify(value)}${rest === '}' ? '}' : `,${rest}`}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 20, max: 5000 }),
        fc.constantFrom('[', '{"a":'),
        fc.constantFrom('x', 'quantity', 'variantId', 'delta', 'attributes', 'title', 'lines'),
      )
      .map(([depth, open, key]) => {
        const close = open === '[' ? ']' : '}';
        const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
        return `{"variantId":"aaaaaaaaaaaaaaaaaaaaaaaa","quantity":1,"${key}":${deep}}`;
      }),
  },
);

/**
 * Every route and method the app documents, from its own OpenAPI document. Event streams are left
 * out: a well-formed request opens a stream that never ends (live-availability.e2e.spec.ts).
 */
async function routesOf(t: TestApp): Promise<Route[]> {
  const document = await t.request('GET', '/docs-json');
  expect(document.status).toBe(200);
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(
    document.body.paths as Record<string, Record<string, unknown>>,
  )) {
    for (const [method, operation] of Object.entries(operations)) {
      if (JSON.stringify(operation).includes('text/event-stream')) continue;
      routes.push({ method: method.toUpperCase(), path });
    }
  }
  return routes;
}

/** Random JSON to every route: nothing answers 500, and every error has the one shape. */
describe('fuzzing every route with random JSON', () => {
  let t: TestApp;
  let routes: Route[];
  let variantId: string;
  let reservationId: string;

  beforeAll(async () => {
    t = await startTestApp();
    routes = await routesOf(t);
    variantId = await createVariant(t, 100);
    const held = await t.request('POST', '/v1/reservations', {
      token: t.token('fuzz-shopper'),
      body: { variantId, quantity: 1 },
    });
    reservationId = held.body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the routes to fuzz', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes).toContainEqual({ method: 'POST', path: '/v1/reservations' });
  });

  it('never answers 500, and answers every error in the one shape', async () => {
    const pathValue = fc.oneof(
      fc.constant('known'),
      fc.constant('aaaaaaaaaaaaaaaaaaaaaaaa'),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat(routes.length - 1),
        jsonText,
        fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), {
          maxKeys: 3,
        }),
        pathValue,
        fc.constantFrom('admin', 'shopper', 'none'),
        async (routeIndex, body, query, idValue, who) => {
          const route = routes[routeIndex];
          const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
            if (idValue !== 'known') return idValue;
            return name.toLowerCase().includes('variant') || route.path.includes('variants')
              ? variantId
              : reservationId;
          });
          const search = new URLSearchParams(query).toString();
          const token =
            who === 'admin'
              ? t.token('fuzz-admin', { admin: true })
              : who === 'shopper'
                ? t.token('fuzz-shopper')
                : undefined;
          const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
          const response = await t.request(route.method, search ? `${path}?${search}` : path, {
            token,
            ...(hasBody ? { rawBody: body } : {}),
          });
          const label = `${route.method} ${path} ${body.slice(0, 200)}`;
          expect(response.status, label).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.body, label).toMatchObject({
              statusCode: response.status,
              code: expect.stringMatching(/^[A-Z_]+$/),
              message: expect.any(String),
              requestId: response.headers.get('x-request-id'),
            });
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
