import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('fills in the documented defaults in development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      store: 'mongodb',
      reservationTtlSeconds: 600,
      maxActiveReservations: 5,
      maxQuantityPerReservation: 10,
      reserveRateLimit: 10,
      reserveRateWindowSeconds: 60,
      expirySweepMs: 1000,
      searchSweepMs: 30_000,
      searchResyncCron: '0 3 * * *',
      workers: 'inline',
      trustProxy: false,
      jwtSecrets: [DEVELOPMENT_JWT_SECRET],
      hotVariantConcurrency: 2,
      admissionQueueLimit: 1000,
      requestDeadlineMs: 3000,
    });
  });

  it('keeps ended reservations 30 days by default, 0 meaning forever, at most ten years', () => {
    expect(loadConfig({}).retentionDays).toBe(30);
    expect(loadConfig({ RETENTION_DAYS: '0' }).retentionDays).toBe(0);
    expect(loadConfig({ RETENTION_DAYS: '3650' }).retentionDays).toBe(3650);
    expect(() => loadConfig({ RETENTION_DAYS: '3651' })).toThrow(/RETENTION_DAYS must be ≤ 3650/);
    expect(() => loadConfig({ RETENTION_DAYS: '-1' })).toThrow(/RETENTION_DAYS must be ≥ 0/);
    expect(() => loadConfig({ RETENTION_DAYS: '7d' })).toThrow(/RETENTION_DAYS must be an integer/);
  });

  it('bounds the request deadline and the admission queue at boot', () => {
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '0', ADMISSION_QUEUE_LIMIT: '-1' })).toThrow(
      /ADMISSION_QUEUE_LIMIT must be ≥ 0[\s\S]*REQUEST_DEADLINE_MS must be ≥ 10/,
    );
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '3s' })).toThrow(
      /REQUEST_DEADLINE_MS must be an integer/,
    );
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '600000' })).toThrow(
      /REQUEST_DEADLINE_MS must be ≤ 60000/,
    );
    const config = loadConfig({ REQUEST_DEADLINE_MS: '250', ADMISSION_QUEUE_LIMIT: '0' });
    expect(config).toMatchObject({ requestDeadlineMs: 250, admissionQueueLimit: 0 });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        STORE: 'postgres',
        MAX_ACTIVE_RESERVATIONS: '0',
        TRUST_PROXY: 'maybe',
        REDIS_URL: 'http://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT must be an integer/);
    expect(problems.join('\n')).toMatch(/STORE must be one of mongodb, memory/);
    expect(problems.join('\n')).toMatch(/MAX_ACTIVE_RESERVATIONS must be ≥ 1/);
    expect(problems.join('\n')).toMatch(
      /TRUST_PROXY must be false, a hop count, or a comma-separated list/,
    );
    expect(problems.join('\n')).toMatch(/REDIS_URL must start with redis:\/\//);
  });

  it('demands a real secret and a MongoDB URI in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET or JWT_PUBLIC_KEY is required[\s\S]*MONGODB_URI is required/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', MONGODB_URI: 'mongodb://db/x' }),
    ).toThrow(/at least 32 characters/);
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      MONGODB_URI: 'mongodb://db1,db2/stockhold?replicaSet=rs0',
    });
    expect(config.mongodbUri).toContain('replicaSet=rs0');
  });

  it('accepts replica-set seed lists and SRV URIs, and refuses other schemes', () => {
    const seeds =
      'mongodb://user:pw@db1:27017,db2:27017,db3:27017/stockhold?replicaSet=rs0&w=majority';
    expect(loadConfig({ MONGODB_URI: seeds }).mongodbUri).toBe(seeds);
    expect(
      loadConfig({ MONGODB_URI: 'mongodb+srv://cluster0.example.net/stockhold' }).mongodbUri,
    ).toContain('+srv');
    expect(() => loadConfig({ MONGODB_URI: 'postgres://db/x' })).toThrow(
      /MONGODB_URI must be a mongodb/,
    );
  });

  it('reads a key rotation: JWT_SECRET lists the new secret, then the old one', () => {
    const newSecret = 'n'.repeat(40);
    const oldSecret = 'o'.repeat(40);
    const production = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/x' };
    expect(
      loadConfig({ ...production, JWT_SECRET: ` ${newSecret} , ${oldSecret} ` }).jwtSecrets,
    ).toEqual([newSecret, oldSecret]);
    // Each listed secret must be long enough in production, the old one too.
    expect(() => loadConfig({ ...production, JWT_SECRET: `${newSecret},short` })).toThrow(
      /JWT_SECRET must be at least 32 characters in production/,
    );
  });

  it('refuses both JWT_SECRET and JWT_PUBLIC_KEY, and a public key that is not PEM', () => {
    expect(() =>
      loadConfig({ JWT_SECRET: 'x'.repeat(40), JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }),
    ).toThrow(/not both/);
    expect(() => loadConfig({ JWT_PUBLIC_KEY: 'abc' })).toThrow(/PEM public key/);
  });

  it('caps the sold-out gate at one second and validates cron expressions', () => {
    expect(() => loadConfig({ SOLD_OUT_GATE_TTL_MS: '5000' })).toThrow(
      /SOLD_OUT_GATE_TTL_MS must be ≤ 1000/,
    );
    expect(() => loadConfig({ SEARCH_RESYNC_CRON: 'every day' })).toThrow(/cron expression/);
  });

  it('reads TRUST_PROXY as false, a hop count (true = 1) or proxy addresses, never "trust all"', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(trust('')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7,::1, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['10.0.0.0/33', '300.1.1.1', 'proxy.example', '11', '10.0.0.1/8/1']) {
      expect(() => trust(bad), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('has request, connection and token-lifetime limits by default', () => {
    expect(loadConfig({})).toMatchObject({
      requestTimeoutMs: 10_000,
      connectionTimeoutMs: 75_000,
      jwtClockSkewSeconds: 30,
      jwtMaxLifetimeSeconds: 86_400,
    });
  });

  it('refuses the in-memory store in production unless explicitly allowed', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), STORE: 'memory' };
    let error: unknown;
    try {
      loadConfig(production);
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^STORE=memory is refused in production/),
    ]);
    const allowed = loadConfig({ ...production, ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true' });
    expect(allowed).toMatchObject({ store: 'memory', allowMemoryStoreInProduction: true });
    // Outside production the in-memory store needs no flag (tests, demos).
    expect(loadConfig({ STORE: 'memory' }).allowMemoryStoreInProduction).toBe(false);
  });

  it('gives every BullMQ key a prefix, stockhold unless QUEUE_PREFIX says otherwise', () => {
    expect(loadConfig({}).queuePrefix).toBe('stockhold');
    expect(loadConfig({ QUEUE_PREFIX: 'dev-alice' }).queuePrefix).toBe('dev-alice');
    expect(() => loadConfig({ QUEUE_PREFIX: 'a:b' })).toThrow(/QUEUE_PREFIX must be/);
  });

  it('reads the live stream settings, and refuses a heartbeat the idle timeout would cut', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      stockBusEnabled: true,
      liveCoalesceMs: 250,
      liveHeartbeatMs: 15_000,
      liveMaxStreams: 10_000,
    });
    expect(() =>
      loadConfig({ LIVE_HEARTBEAT_MS: '80000', CONNECTION_TIMEOUT_MS: '75000' }),
    ).toThrow(/LIVE_HEARTBEAT_MS must be below CONNECTION_TIMEOUT_MS/);
    // Unset, it stays inside a short idle timeout instead of refusing to start.
    expect(loadConfig({ CONNECTION_TIMEOUT_MS: '1000' }).liveHeartbeatMs).toBe(500);
  });

  it('reads the waitlist lifetimes: an hour in line, two minutes to take an offer', () => {
    expect(loadConfig({})).toMatchObject({
      waitlistTtlSeconds: 3600,
      waitlistOfferTtlSeconds: 120,
    });
    expect(
      loadConfig({ WAITLIST_TTL_SECONDS: '600', WAITLIST_OFFER_TTL_SECONDS: '30' }),
    ).toMatchObject({ waitlistTtlSeconds: 600, waitlistOfferTtlSeconds: 30 });
    expect(() => loadConfig({ WAITLIST_OFFER_TTL_SECONDS: '0' })).toThrow(
      /WAITLIST_OFFER_TTL_SECONDS/,
    );
  });
});
