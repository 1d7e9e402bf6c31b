import {
  boolean,
  cron,
  integer,
  mongoUri,
  oneOf,
  optionalString,
  stringWithDefault,
  trustProxy,
  type TrustProxy,
  url,
} from './config.schema';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const STORES = ['mongodb', 'memory'] as const;
export const WORKER_MODES = ['inline', 'off'] as const;
export const RATE_LIMIT_BACKENDS = ['redis', 'local'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Used only outside production, so `npm start` and `npm run token` agree with no setup. */
export const DEVELOPMENT_JWT_SECRET = 'stockhold-development-secret-do-not-use-in-production';

/** The one validated configuration object. Code reads this, never process.env. */
export class AppConfig {
  nodeEnv!: (typeof NODE_ENVS)[number];
  port!: number;
  host!: string;
  /** The worker process serves GET /metrics on this port (0: not at all). */
  workerMetricsPort!: number;
  store!: (typeof STORES)[number];
  mongodbUri?: string;
  /**
   * NODE_ENV=production with STORE=memory starts only with this set, and then /health/ready
   * answers 503, so no load balancer routes shoppers to a store that forgets every hold.
   */
  allowMemoryStoreInProduction!: boolean;
  /** Where the embedded development MongoDB keeps its data. */
  mongoDataDir!: string;
  redisUrl!: string;
  /**
   * Prefix of every BullMQ key (`<prefix>:search-sync:…`). Instances that share a Redis but not a
   * database (development) each need their own, or one's worker takes the other's jobs.
   */
  queuePrefix!: string;
  /**
   * HS256 keys, newest first: JWT_SECRET lists them comma-separated (`new,old`) during a rotation.
   * Tokens signed with any of them are accepted; `npm run token` signs with the first.
   */
  jwtSecrets!: string[];
  /** RS256 public keys (PEM), newest first: JWT_PUBLIC_KEY may hold two during a rotation. */
  jwtPublicKeys!: string[];
  reservationTtlSeconds!: number;
  maxActiveReservations!: number;
  maxQuantityPerReservation!: number;
  reserveRateLimit!: number;
  reserveRateWindowSeconds!: number;
  /**
   * Requests per client IP per window. Generous by default: a shop's backend calls stockhold
   * server-to-server, so one IP may carry many shoppers; per-shopper abuse is the reserve limit's job.
   */
  globalRateLimit!: number;
  globalRateWindowSeconds!: number;
  expirySweepMs!: number;
  expirySweepBatch!: number;
  /**
   * Days a released or expired reservation is kept after it ended; 0 keeps them forever. Committed
   * ones are always kept: purchase limits (I6) are recomputed from them.
   */
  retentionDays!: number;
  searchSweepMs!: number;
  /** Tries per search-sync job before it stays in the failed set (the dead-letter queue). */
  searchSyncAttempts!: number;
  /** First retry delay of a search-sync job; each further retry waits twice as long. */
  searchSyncBackoffMs!: number;
  searchResyncCron!: string;
  workers!: (typeof WORKER_MODES)[number];
  /**
   * Which peers may name the client in X-Forwarded-For: false (none, the default), a hop count,
   * or proxy addresses/CIDRs. `true` means 1 hop (see trustProxy in config.schema.ts).
   */
  trustProxy!: TrustProxy;
  /** Time a client has to send a whole request, headers and body (Node's server.requestTimeout). */
  requestTimeoutMs!: number;
  /** A socket with no traffic for this long is closed (Node's server.setTimeout). */
  connectionTimeoutMs!: number;
  /** How far a token's `iat` may lie in the future (clocks of issuers drift). */
  jwtClockSkewSeconds!: number;
  /** Tokens whose `exp` lies further ahead than this are refused. */
  jwtMaxLifetimeSeconds!: number;
  logLevel!: (typeof LOG_LEVELS)[number];
  /** How long a variant seen sold out answers 409 from memory (at most 1 s). */
  soldOutGateTtlMs!: number;
  /** Answer requests the sold-out gate blocks before Nest's pipeline (true; a benchmark switch). */
  soldOutFastPath!: boolean;
  /**
   * Per-process cap on concurrent store writes for one variant (hot-variant admission control).
   * 2 by default: the hot inventory document serialises its writers (docs/architecture.md).
   */
  hotVariantConcurrency!: number;
  /** Requests per variant per process that may wait for a write slot; one more is a 503 at once. */
  admissionQueueLimit!: number;
  /**
   * How long a reserve may take in all, from arrival: waiting for a write slot, then its
   * transaction and every retry of it. Past it the answer is 503 with Retry-After.
   */
  requestDeadlineMs!: number;
  /** Where rate-limit counters live: `redis` (shared, the default) or `local` (per process; a benchmark switch). */
  rateLimitBackend!: (typeof RATE_LIMIT_BACKENDS)[number];
  /** Rate-limit checks of one event-loop turn share one Redis script call (true; a benchmark switch). */
  rateLimitBatching!: boolean;
  /** Replace AsyncResource#bind where it still adds DEP0172 accessors, as Node 20–24 do (true; a benchmark switch). */
  leanAsyncBind!: boolean;
  /** A hold never lives past createdAt + this, however often it is extended. */
  maxHoldLifetimeSeconds!: number;
  /** How many times one hold may be extended. */
  maxHoldExtensions!: number;
  /** Serve the OpenAPI UI and document at /docs and /docs-json (default: off in production). */
  docsEnabled!: boolean;
  /** When set, GET /metrics (API and worker) answers only `Authorization: Bearer <this>`. */
  metricsToken?: string;
  /**
   * On SIGTERM, /health/ready answers 503 for this long before the listener closes, so load
   * balancers stop routing here while requests in flight finish (default 5000 in production).
   */
  shutdownDrainMs!: number;
  /** Publish stock changes on Redis pub/sub and feed this instance's gate and streams from it (true). */
  stockBusEnabled!: boolean;
  /** A live availability stream gets at most one message per variant per this many ms. */
  liveCoalesceMs!: number;
  /** Every open live stream gets a comment line this often, so proxies keep it open. */
  liveHeartbeatMs!: number;
  /** Live streams one process keeps open at most; one more is answered 503. */
  liveMaxStreams!: number;
  /** A waitlist entry waits at most this long, then expires. */
  waitlistTtlSeconds!: number;
  /** An offer (a hold the waitlist made from freed units) expires this long after it is made. */
  waitlistOfferTtlSeconds!: number;
  /**
   * Let webhooks target loopback, link-local and private addresses (false: refused when the
   * subscription is made and before every delivery). Development and tests only.
   */
  webhookAllowPrivate!: boolean;
  /** How long a webhook event is retried before it is dead-lettered. */
  webhookRetryForSeconds!: number;
  /** The first retry's delay; each one after waits about twice as long (with jitter). */
  webhookRetryBaseMs!: number;
  /** How often the publisher reads the ledgers of variants that changed. */
  webhookPublishIntervalMs!: number;
  /** How often the publisher checks every variant and lane (the backstop for lost signals and jobs). */
  webhookSweepMs!: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates every variable; throws ConfigError listing every problem found. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = <T>(name: string, reader: (raw: string | undefined, p: string[], n: string) => T) =>
    reader(env[name], problems, name);

  const config = new AppConfig();
  config.nodeEnv = read('NODE_ENV', oneOf(NODE_ENVS, 'development'));
  config.port = read('PORT', integer({ default: 3000, min: 0, max: 65535 }));
  config.host = read('HOST', stringWithDefault('0.0.0.0'));
  config.workerMetricsPort = read(
    'WORKER_METRICS_PORT',
    integer({ default: 0, min: 0, max: 65535 }),
  );
  config.store = read('STORE', oneOf(STORES, 'mongodb'));
  config.mongodbUri = read('MONGODB_URI', mongoUri());
  config.allowMemoryStoreInProduction = read('ALLOW_MEMORY_STORE_IN_PRODUCTION', boolean(false));
  config.mongoDataDir = read('MONGO_DATA_DIR', stringWithDefault('.data/mongo'));
  config.redisUrl = read(
    'REDIS_URL',
    url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  ) as string;
  config.queuePrefix = read('QUEUE_PREFIX', stringWithDefault('stockhold'));
  config.jwtSecrets = splitSecrets(read('JWT_SECRET', optionalString()));
  config.jwtPublicKeys = splitPemKeys(read('JWT_PUBLIC_KEY', optionalString()));
  config.reservationTtlSeconds = read(
    'RESERVATION_TTL_SECONDS',
    integer({ default: 600, min: 1, max: 86_400 }),
  );
  config.maxActiveReservations = read(
    'MAX_ACTIVE_RESERVATIONS',
    integer({ default: 5, min: 1, max: 100 }),
  );
  config.maxQuantityPerReservation = read(
    'MAX_QUANTITY_PER_RESERVATION',
    integer({ default: 10, min: 1, max: 10_000 }),
  );
  config.reserveRateLimit = read('RESERVE_RATE_LIMIT', integer({ default: 10, min: 1 }));
  config.reserveRateWindowSeconds = read(
    'RESERVE_RATE_WINDOW_SECONDS',
    integer({ default: 60, min: 1 }),
  );
  config.globalRateLimit = read('GLOBAL_RATE_LIMIT', integer({ default: 100_000, min: 1 }));
  config.globalRateWindowSeconds = read(
    'GLOBAL_RATE_WINDOW_SECONDS',
    integer({ default: 60, min: 1 }),
  );
  config.expirySweepMs = read('EXPIRY_SWEEP_MS', integer({ default: 1000, min: 50 }));
  config.expirySweepBatch = read(
    'EXPIRY_SWEEP_BATCH',
    integer({ default: 200, min: 1, max: 10_000 }),
  );
  config.retentionDays = read('RETENTION_DAYS', integer({ default: 30, min: 0, max: 3650 }));
  config.searchSweepMs = read('SEARCH_SWEEP_MS', integer({ default: 30_000, min: 50 }));
  config.searchSyncAttempts = read(
    'SEARCH_SYNC_ATTEMPTS',
    integer({ default: 8, min: 1, max: 100 }),
  );
  config.searchSyncBackoffMs = read(
    'SEARCH_SYNC_BACKOFF_MS',
    integer({ default: 1000, min: 1, max: 3_600_000 }),
  );
  config.searchResyncCron = read('SEARCH_RESYNC_CRON', cron('0 3 * * *'));
  config.workers = read('WORKERS', oneOf(WORKER_MODES, 'inline'));
  config.trustProxy = read('TRUST_PROXY', trustProxy());
  config.requestTimeoutMs = read(
    'REQUEST_TIMEOUT_MS',
    integer({ default: 10_000, min: 100, max: 600_000 }),
  );
  config.connectionTimeoutMs = read(
    'CONNECTION_TIMEOUT_MS',
    integer({ default: 75_000, min: 100, max: 3_600_000 }),
  );
  config.jwtClockSkewSeconds = read(
    'JWT_CLOCK_SKEW_SECONDS',
    integer({ default: 30, min: 0, max: 3600 }),
  );
  config.jwtMaxLifetimeSeconds = read(
    'JWT_MAX_LIFETIME_SECONDS',
    integer({ default: 86_400, min: 60, max: 31_536_000 }),
  );
  config.logLevel = read('LOG_LEVEL', oneOf(LOG_LEVELS, 'info'));
  config.soldOutGateTtlMs = read(
    'SOLD_OUT_GATE_TTL_MS',
    integer({ default: 1000, min: 0, max: 1000 }),
  );
  config.soldOutFastPath = read('SOLD_OUT_FAST_PATH', boolean(true));
  config.hotVariantConcurrency = read(
    'HOT_VARIANT_CONCURRENCY',
    integer({ default: 2, min: 1, max: 1000 }),
  );
  config.admissionQueueLimit = read(
    'ADMISSION_QUEUE_LIMIT',
    integer({ default: 1000, min: 0, max: 100_000 }),
  );
  config.requestDeadlineMs = read(
    'REQUEST_DEADLINE_MS',
    integer({ default: 3000, min: 10, max: 60_000 }),
  );

  config.rateLimitBackend = read('RATE_LIMIT_BACKEND', oneOf(RATE_LIMIT_BACKENDS, 'redis'));
  config.rateLimitBatching = read('RATE_LIMIT_BATCHING', boolean(true));
  config.leanAsyncBind = read('LEAN_ASYNC_BIND', boolean(true));
  config.maxHoldLifetimeSeconds = read(
    'MAX_HOLD_LIFETIME_SECONDS',
    integer({ default: 1800, min: 1, max: 604_800 }),
  );
  config.maxHoldExtensions = read('MAX_HOLD_EXTENSIONS', integer({ default: 2, min: 0, max: 100 }));
  const inProduction = config.nodeEnv === 'production';
  config.docsEnabled = read('DOCS_ENABLED', boolean(!inProduction));
  config.metricsToken = read('METRICS_TOKEN', optionalString());
  config.shutdownDrainMs = read(
    'SHUTDOWN_DRAIN_MS',
    integer({ default: inProduction ? 5000 : 0, min: 0, max: 120_000 }),
  );

  config.stockBusEnabled = read('STOCK_BUS_ENABLED', boolean(true));
  config.liveCoalesceMs = read('LIVE_COALESCE_MS', integer({ default: 250, min: 0, max: 60_000 }));
  // By default well inside the idle timeout, which a stream with no traffic would otherwise hit.
  config.liveHeartbeatMs = read(
    'LIVE_HEARTBEAT_MS',
    integer({
      default: Math.min(15_000, Math.floor(config.connectionTimeoutMs / 2)),
      min: 50,
      max: 600_000,
    }),
  );
  config.liveMaxStreams = read(
    'LIVE_MAX_STREAMS',
    integer({ default: 10_000, min: 0, max: 1_000_000 }),
  );

  config.waitlistTtlSeconds = read(
    'WAITLIST_TTL_SECONDS',
    integer({ default: 3600, min: 1, max: 604_800 }),
  );
  config.waitlistOfferTtlSeconds = read(
    'WAITLIST_OFFER_TTL_SECONDS',
    integer({ default: 120, min: 1, max: 86_400 }),
  );
  config.webhookAllowPrivate = read('WEBHOOK_ALLOW_PRIVATE', boolean(false));
  config.webhookRetryForSeconds = read(
    'WEBHOOK_RETRY_FOR_SECONDS',
    integer({ default: 86_400, min: 1, max: 604_800 }),
  );
  config.webhookRetryBaseMs = read(
    'WEBHOOK_RETRY_BASE_MS',
    integer({ default: 1000, min: 10, max: 3_600_000 }),
  );
  config.webhookPublishIntervalMs = read(
    'WEBHOOK_PUBLISH_INTERVAL_MS',
    integer({ default: 1000, min: 20, max: 60_000 }),
  );
  config.webhookSweepMs = read(
    'WEBHOOK_SWEEP_MS',
    integer({ default: 30_000, min: 50, max: 3_600_000 }),
  );

  const production = config.nodeEnv === 'production';
  if (config.liveHeartbeatMs >= config.connectionTimeoutMs) {
    problems.push(
      'LIVE_HEARTBEAT_MS must be below CONNECTION_TIMEOUT_MS, or idle live streams are cut',
    );
  }
  const hs256 = config.jwtSecrets.length > 0;
  const rs256 = config.jwtPublicKeys.length > 0;
  if (hs256 && rs256) {
    problems.push('Set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256), not both');
  }
  if (rs256 && !config.jwtPublicKeys.every((key) => key.includes('BEGIN PUBLIC KEY'))) {
    problems.push('JWT_PUBLIC_KEY must be PEM public keys (-----BEGIN PUBLIC KEY-----)');
  }
  if (!hs256 && !rs256) {
    if (production) problems.push('JWT_SECRET or JWT_PUBLIC_KEY is required in production');
    else config.jwtSecrets = [DEVELOPMENT_JWT_SECRET];
  }
  if (production && config.jwtSecrets.some((secret) => secret.length < 32)) {
    problems.push('JWT_SECRET must be at least 32 characters in production (each listed secret)');
  }
  if (production && config.jwtSecrets.includes(DEVELOPMENT_JWT_SECRET)) {
    problems.push('JWT_SECRET must not be the development secret in production');
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters');
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.queuePrefix)) {
    problems.push('QUEUE_PREFIX must be 1–64 letters, digits, dots, dashes or underscores');
  }
  if (production && config.store === 'memory' && !config.allowMemoryStoreInProduction) {
    problems.push(
      'STORE=memory is refused in production: nothing is durable, every hold is lost on restart ' +
        '(use MongoDB; ALLOW_MEMORY_STORE_IN_PRODUCTION=true starts it anyway, never ready for traffic)',
    );
  }
  if (production && config.store === 'mongodb' && !config.mongodbUri) {
    problems.push('MONGODB_URI is required in production');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * loadConfig() for a process's boot: configuration problems are the operator's to fix, so they
 * are printed all at once under `<name> cannot start.`, with no stack trace, and the process
 * exits 1. Any other error is thrown on.
 */
export function loadConfigOrExit(name: string): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name} cannot start.\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** `new,old` → ['new', 'old']; blanks around the commas are dropped. */
function splitSecrets(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}

/** One or more PEM blocks, one after the other (newlines or not between them). */
function splitPemKeys(raw: string | undefined): string[] {
  if (!raw) return [];
  const blocks = raw.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g);
  return blocks ?? [raw.trim()];
}
