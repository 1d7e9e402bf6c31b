import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForChild, REPO_ROOT } from '../backfill/compile-for-child';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function run(script: string, env: Record<string, string>): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      // Only what the service is given in production; nothing inherited may point it elsewhere.
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started }),
    );
  });
}

/**
 * A production start against a MongoDB that cannot be reached ends in one clear line and exit 1,
 * within the server-selection timeout — never a stack trace, never a hang.
 */
describe('a production start with MONGODB_URI unreachable', () => {
  let workDirectory: string;
  const production = {
    NODE_ENV: 'production',
    // Port 1: nothing listens there, so the connection is refused at once.
    MONGODB_URI: 'mongodb://admin:hunter2@127.0.0.1:1/stockhold?replicaSet=rs0',
    JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
    // Never reached: the store is opened first.
    REDIS_URL: 'redis://127.0.0.1:1',
    LOG_LEVEL: 'info',
  };

  beforeAll(async () => {
    workDirectory = await mkdtemp(path.join(tmpdir(), 'stockhold-start-'));
  });
  afterAll(async () => {
    await rm(workDirectory, { recursive: true, force: true });
  });

  it.each([
    ['API', 'src/main.ts', 'stockhold failed to start: '],
    ['worker', 'src/worker.ts', 'stockhold worker failed to start: '],
  ])(
    'the %s exits 1 with one line naming the server (no credentials) and the cure',
    async (_, entry, prefix) => {
      const script = await compileForChild(
        path.join(REPO_ROOT, entry),
        path.join(workDirectory, path.basename(entry, '.ts')),
      );
      const outcome = await run(script, production);

      expect(outcome.code).toBe(1);
      const lines = outcome.stderr.trim().split('\n');
      expect(lines, outcome.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${prefix}MongoDB at mongodb://\\*\\*\\*@127\\.0\\.0\\.1:1/stockhold\\?replicaSet=rs0 cannot be used: .*ECONNREFUSED.*Check MONGODB_URI`,
        ),
      );
      expect(outcome.stderr).not.toContain('hunter2');
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
      expect(outcome.stdout).not.toMatch(/\n\s+at /);
      // serverSelectionTimeoutMS (5 s) plus start-up, not the driver's default 30 s.
      expect(outcome.elapsedMs).toBeLessThan(15_000);
    },
    30_000,
  );
});
