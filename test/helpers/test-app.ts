import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSigner } from 'fast-jwt';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../src/app.factory';
import { ManualClock, SystemClock, type Clock } from '../../src/common/clock';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { Store } from '../../src/store/store';
import type { StoreSource } from '../../src/store/store.module';
import { OpenApiValidator, type ServedDocument } from './openapi-validator';

export const TEST_JWT_SECRET = 'test-secret-of-at-least-thirty-two-characters!';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  store: Store;
  clock: Clock;
  /** A valid HS256 token for this user. */
  token: (sub: string, options?: { admin?: boolean }) => string;
  /** fetch against the app with JSON in and out. */
  request: (method: string, path: string, options?: RequestOptions) => Promise<TestResponse>;
  close: () => Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // The shape varies per route; tests assert on the fields they care about.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Use a manual clock the test moves; by default the system clock. */
  manualClock?: boolean;
  /** A store instance, or MongoDB settings for MongooseModule; the in-memory store by default. */
  store?: StoreSource;
  /** Collects the app's log lines (by default they go to stdout). */
  logDestination?: DestinationStream;
}

/** Starts the real HTTP app on a free loopback port, on the in-memory store. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    STORE: 'memory',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    WORKERS: 'off',
    REDIS_URL: inject('redisUrl'),
    // Limits are tested on their own; elsewhere they would only get in the way of the flows.
    GLOBAL_RATE_LIMIT: '1000000',
    RESERVE_RATE_LIMIT: '1000000',
    ...options.env,
  });
  const source = options.store ?? new MemoryStore();
  const clock = options.manualClock ? new ManualClock(new Date()) : new SystemClock();
  const app = await createApp({
    config,
    store: source,
    clock,
    logDestination: options.logDestination,
  });
  const store = app.get(Store);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  // Every response is checked against the served document, so the spec cannot drift from the
  // service. An app started with the docs turned off (DOCS_ENABLED=false) has none to check against.
  let validator: Promise<OpenApiValidator | undefined> | undefined;
  const openApi = () =>
    (validator ??= fetch(`${url}/docs-json`).then(async (response) =>
      response.status === 200
        ? new OpenApiValidator((await response.json()) as ServedDocument)
        : undefined,
    ));
  const signer = createSigner({ key: TEST_JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 });

  const request = async (method: string, path: string, requestOptions: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
    let body: string | undefined;
    if (requestOptions.rawBody !== undefined) {
      body = requestOptions.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (requestOptions.body !== undefined) {
      body = JSON.stringify(requestOptions.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Non-JSON bodies (e.g. /docs HTML) stay as text.
    }
    const answer = { status: response.status, headers: response.headers, body: parsed };
    (await openApi())?.check(method, path, answer);
    return answer;
  };

  return {
    app,
    url,
    config,
    store,
    clock,
    token: (sub, tokenOptions = {}) =>
      signer(tokenOptions.admin ? { sub, roles: ['admin'] } : { sub }),
    request,
    close: () => app.close(),
  };
}

let skuCounter = 0;

/** Creates a variant through the admin API and returns its id. */
export async function createVariant(
  testApp: TestApp,
  stock: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  skuCounter += 1;
  const response = await testApp.request('POST', '/v1/admin/variants', {
    token: testApp.token('admin', { admin: true }),
    body: {
      sku: `SKU-${process.pid}-${skuCounter}`,
      title: `Test variant ${skuCounter}`,
      price: 1999,
      stock,
      ...extra,
    },
  });
  if (response.status !== 201) {
    throw new Error(`variant creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.id as string;
}
