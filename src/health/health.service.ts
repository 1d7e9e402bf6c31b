import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Store } from '../store/store';

export interface DependencyStatus {
  ok: boolean;
  /** Working, but below full strength (e.g. Redis down: local rate limits). */
  degraded?: boolean;
  detail?: string;
}

export type DependencyCheck = () => Promise<DependencyStatus>;

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, DependencyStatus>;
}

const CHECK_TIMEOUT_MS = 2000;
const READINESS_STATES: ReadonlyArray<Readiness['status']> = ['ok', 'degraded', 'unavailable'];

/** Readiness: the store must answer; other dependencies (Redis) register checks that may only degrade. */
@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly logger = new Logger('Health');
  private readonly checks = new Map<string, { check: DependencyCheck; required: boolean }>();
  private readonly drainMs: number;
  /** Set when shutdown starts: readiness is 503 from then on. */
  private draining = false;

  constructor(store: Store, redis: RedisConnections, metrics: MetricsService, config: AppConfig) {
    this.drainMs = config.shutdownDrainMs;
    // Production on the in-memory store (ALLOW_MEMORY_STORE_IN_PRODUCTION): it runs, but it must
    // never be routed shoppers' holds it would forget, so the required store check fails.
    const memoryInProduction = store.kind === 'memory' && config.nodeEnv === 'production';
    this.register(
      'store',
      async () => {
        await store.ping();
        if (memoryInProduction) {
          return {
            ok: false,
            detail:
              'in-memory store in production (ALLOW_MEMORY_STORE_IN_PRODUCTION): not durable, not ready for traffic',
          };
        }
        return store.kind === 'memory'
          ? {
              ok: true,
              degraded: true,
              detail: 'in-memory store: not durable, for development and tests only',
            }
          : { ok: true, detail: store.kind };
      },
      true,
    );
    // Redis down is survivable (local rate limits, the needsSync sweeper keeps search in sync).
    this.register(
      'redis',
      async () => {
        if (!redis.ready)
          return {
            ok: false,
            degraded: true,
            detail: `not connected (${redis.commands.status}): rate limits are per process`,
          };
        await redis.commands.ping();
        return { ok: true };
      },
      false,
    );
    this.exportReadiness(metrics);
  }

  /** A required check failing makes the service unavailable; an optional one only degrades it. */
  register(name: string, check: DependencyCheck, required: boolean): void {
    this.checks.set(name, { check, required });
  }

  /**
   * The same answer /health/ready gives, as gauges computed at scrape time, so an alert sees a
   * degraded instance even though the load balancer keeps routing to it (degraded is still 200).
   */
  private exportReadiness(metrics: MetricsService): void {
    const registers = [metrics.registry];
    // One readiness run per scrape, shared by both gauges.
    let inFlight: Promise<Readiness> | undefined;
    const current = () =>
      (inFlight ??= this.readiness().finally(() => {
        inFlight = undefined;
      }));
    // Metric objects live in the registry; these locals only give the collect callbacks a handle.
    const readiness: Gauge<'state'> = new Gauge({
      name: 'stockhold_readiness',
      help: 'What /health/ready answers: 1 for the current state (ok, degraded, unavailable), 0 for the others',
      labelNames: ['state'] as const,
      registers,
      collect: async () => {
        const { status } = await current();
        for (const state of READINESS_STATES) readiness.set({ state }, status === state ? 1 : 0);
      },
    });
    const dependencyUp: Gauge<'dependency'> = new Gauge({
      name: 'stockhold_dependency_up',
      help: 'Readiness check of one dependency: 1 answering at full strength, 0 down or degraded',
      labelNames: ['dependency'] as const,
      registers,
      collect: async () => {
        const { checks } = await current();
        for (const [dependency, check] of Object.entries(checks)) {
          dependencyUp.set({ dependency }, check.ok && !check.degraded ? 1 : 0);
        }
      },
    });
  }

  /**
   * The first shutdown hook Nest runs (onModuleDestroy comes before beforeApplicationShutdown and
   * before the listener closes, nest-application-context.js close()). Readiness turns 503 at once;
   * the listener stays open SHUTDOWN_DRAIN_MS longer, so a load balancer sees the 503 and stops
   * routing here while requests already on their way are still answered.
   */
  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    if (this.drainMs === 0) return;
    this.logger.log(`shutting down: readiness is 503, draining for ${this.drainMs} ms`);
    await sleep(this.drainMs);
  }

  async readiness(): Promise<Readiness> {
    const results: Record<string, DependencyStatus> = {};
    let status: Readiness['status'] = 'ok';
    if (this.draining) {
      results.shutdown = { ok: false, detail: 'shutting down: draining requests in flight' };
      status = 'unavailable';
    }
    await Promise.all(
      [...this.checks].map(async ([name, { check, required }]) => {
        const result = await withTimeout(check());
        results[name] = result;
        if (!result.ok && required) status = 'unavailable';
        else if ((!result.ok || result.degraded) && status === 'ok') status = 'degraded';
      }),
    );
    return { status, checks: results };
  }
}

async function withTimeout(pending: Promise<DependencyStatus>): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyStatus>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      pending.catch((error: unknown) => ({
        ok: false,
        detail: (error as Error)?.message ?? String(error),
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
