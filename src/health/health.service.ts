import { Injectable } from '@nestjs/common';
import { RedisConnections } from '../common/redis/redis-connections';
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

/** Readiness: the store must answer; other dependencies (Redis) register checks that may only degrade. */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, { check: DependencyCheck; required: boolean }>();

  constructor(store: Store, redis: RedisConnections) {
    this.register(
      'store',
      async () => {
        await store.ping();
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
  }

  /** A required check failing makes the service unavailable; an optional one only degrades it. */
  register(name: string, check: DependencyCheck, required: boolean): void {
    this.checks.set(name, { check, required });
  }

  async readiness(): Promise<Readiness> {
    const results: Record<string, DependencyStatus> = {};
    let status: Readiness['status'] = 'ok';
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
