import { describe, expect, it } from 'vitest';
import {
  formatProfileSummary,
  packageOf,
  summarizeProfile,
  type CpuProfile,
} from './profile-summary';

describe('packageOf', () => {
  it('names the package, node internals or the service folder a frame belongs to', () => {
    expect(packageOf('file:///app/node_modules/fastify/lib/reply.js', 'send')).toBe('fastify');
    expect(packageOf('file:///app/node_modules/@nestjs/core/router/x.js', 'f')).toBe(
      '@nestjs/core',
    );
    expect(packageOf('node:internal/streams/writable', 'write')).toBe('node: internals');
    expect(packageOf('file:///app/dist/rate-limit/rate-limit.guard.js', 'g')).toBe(
      'app:rate-limit',
    );
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'writev')).toBe('(native)');
  });
});

describe('summarizeProfile', () => {
  // root → guard (app) → ioredis write; root → (garbage collector); root → require → main.js
  const profile: CpuProfile = {
    nodes: [
      {
        id: 1,
        callFrame: { functionName: '(root)', url: '', lineNumber: -1 },
        children: [2, 4, 5],
      },
      {
        id: 2,
        callFrame: {
          functionName: 'handleRequest',
          url: 'file:///x/dist/rate-limit/g.js',
          lineNumber: 9,
        },
        children: [3],
      },
      {
        id: 3,
        callFrame: {
          functionName: 'write',
          url: 'file:///x/node_modules/ioredis/built/Redis.js',
          lineNumber: 0,
        },
      },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      {
        id: 5,
        callFrame: { functionName: 'require', url: 'node:internal/modules/helpers', lineNumber: 1 },
        children: [6],
      },
      { id: 6, callFrame: { functionName: '', url: 'file:///x/dist/main.js', lineNumber: 0 } },
    ],
    samples: [2, 3, 3, 4, 6, 6],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
  };

  it('attributes self time by package and function, and inclusive time to service code', () => {
    const summary = summarizeProfile(profile);
    expect(summary.totalMs).toBe(4);
    expect(summary.startupMs).toBe(2);
    expect(summary.byPackage).toEqual([
      { name: 'ioredis', percent: 50 },
      { name: 'app:rate-limit', percent: 25 },
      { name: '(garbage collector)', percent: 25 },
    ]);
    expect(summary.selfTime[0]).toEqual({ name: 'write ioredis/built/Redis.js:1', percent: 50 });
    expect(summary.inclusive).toEqual([
      { name: 'handleRequest dist/rate-limit/g.js:10', percent: 75 },
    ]);
    expect(formatProfileSummary(summary)).toContain('75.0%  handleRequest dist/rate-limit/g.js:10');
  });
});
