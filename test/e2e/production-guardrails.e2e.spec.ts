import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForChild, REPO_ROOT } from '../backfill/compile-for-child';
import { freePort } from '../helpers/redis-server';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/test-app';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled entry point with exactly this environment; resolves when it exits (10 s at most). */
function run(script: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 10 s:\n${stdout}\n${stderr}`));
    }, 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('production guardrails', () => {
  let build: string;
  let mainScript: string;
  let workerScript: string;
  let redisUrl: string;

  beforeAll(async () => {
    build = await mkdtemp(path.join(tmpdir(), 'stockhold-guardrails-'));
    mainScript = await compileForChild(path.join(REPO_ROOT, 'src/main.ts'), build);
    workerScript = await compileForChild(path.join(REPO_ROOT, 'src/worker.ts'), build);
    // Nothing listens there: neither process may get as far as connecting.
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    if (build) await rm(build, { recursive: true, force: true });
  });

  it('the API refuses NODE_ENV=production with STORE=memory, in one line that says what to do', async () => {
    const exit = await run(mainScript, {
      NODE_ENV: 'production',
      STORE: 'memory',
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redisUrl,
      PORT: '0',
    });
    expect(exit.code).toBe(1);
    const problems = exit.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      expect.stringMatching(
        /STORE=memory is refused in production: .*ALLOW_MEMORY_STORE_IN_PRODUCTION=true/,
      ),
    ]);
  });

  it('the worker refuses an in-memory store, in one line, before touching the queue', async () => {
    const exit = await run(workerScript, {
      NODE_ENV: 'development',
      STORE: 'memory',
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'info',
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^stockhold worker cannot start: it needs the MongoDB the API uses .*WORKERS=inline.*\(STORE=memory\)$/,
      ),
    ]);
    expect(exit.stdout).not.toContain('stockhold worker running');
  });

  describe('with ALLOW_MEMORY_STORE_IN_PRODUCTION=true', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: { NODE_ENV: 'production', ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true' },
      });
    });
    afterAll(async () => {
      await t.close();
    });

    it('starts, but /health/ready answers 503 so no load balancer routes to it', async () => {
      const ready = await t.request('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'unavailable',
        checks: { store: { ok: false, detail: expect.stringMatching(/not ready for traffic/) } },
      });
      expect((await t.request('GET', '/health/live')).status).toBe(200);
    });
  });

  it('outside production the in-memory store stays ready (degraded), as before', async () => {
    const t = await startTestApp();
    try {
      const ready = await t.request('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
    } finally {
      await t.close();
    }
  });
});
