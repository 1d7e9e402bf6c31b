import type { TestProject } from 'vitest/node';
import { TestRedisServer } from './helpers/redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One private redis-server for the whole run; tests that kill Redis start their own. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await TestRedisServer.start();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
