import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileForChild, REPO_ROOT } from '../backfill/compile-for-child';
import { TEST_JWT_SECRET } from '../helpers/test-app';

/** Starts the compiled API, waits for its "listening" line, stops it; returns what it printed. */
function startAndStop(script: string, env: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
        HOST: '127.0.0.1',
        PORT: '0',
        STORE: 'memory',
        WORKERS: 'off',
        LOG_LEVEL: 'info',
        REDIS_URL: inject('redisUrl'),
        ...env,
      },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening on" line within 20 s:\n${output}`));
    }, 20_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(output.split('\n').filter((line) => line.length > 0));
    });
  });
}

describe('start-up output', () => {
  let build: string;
  let mainScript: string;

  beforeAll(async () => {
    build = await mkdtemp(path.join(tmpdir(), 'stockhold-startup-'));
    mainScript = await compileForChild(path.join(REPO_ROOT, 'src/main.ts'), build);
  });
  afterAll(async () => {
    if (build) await rm(build, { recursive: true, force: true });
  });

  it('development: readable lines, no module-loading wall, the real bound port', async () => {
    const lines = await startAndStop(mainScript, { NODE_ENV: 'development' });
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines.join('\n')).not.toMatch(/InstanceLoader|RouterExplorer|RoutesResolver/);
    const listening = lines.find((line) => line.includes('listening on'));
    expect(listening).toMatch(
      /INFO +\[Bootstrap\] stockhold listening on http:\/\/127\.0\.0\.1:[1-9]\d*/,
    );
  });

  it('production: every line is one JSON object', async () => {
    const lines = await startAndStop(mainScript, {
      NODE_ENV: 'production',
      ALLOW_MEMORY_STORE_IN_PRODUCTION: 'true',
      JWT_SECRET: TEST_JWT_SECRET,
      SHUTDOWN_DRAIN_MS: '0',
    });
    const entries = lines.map((line) => JSON.parse(line) as { msg: string; context?: string });
    expect(entries.map((entry) => entry.context)).not.toContain('InstanceLoader');
    expect(entries.find((entry) => entry.msg.includes('listening on'))?.msg).toMatch(
      /^stockhold listening on http:\/\/127\.0\.0\.1:[1-9]\d* \(production, store: in-memory/,
    );
  });
});
