import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/test-app';

describe('shutdown signals', () => {
  it('stops on SIGTERM and SIGINT only: SIGUSR2 and SIGHUP (nodemon, log rotators) leave it running', async () => {
    const before = (signal: NodeJS.Signals) => process.listenerCount(signal);
    const counts = {
      SIGTERM: before('SIGTERM'),
      SIGINT: before('SIGINT'),
      SIGUSR2: before('SIGUSR2'),
      SIGHUP: before('SIGHUP'),
    };
    const app = await startTestApp();
    try {
      expect(process.listenerCount('SIGTERM')).toBe(counts.SIGTERM + 1);
      expect(process.listenerCount('SIGINT')).toBe(counts.SIGINT + 1);
      expect(process.listenerCount('SIGUSR2')).toBe(counts.SIGUSR2);
      expect(process.listenerCount('SIGHUP')).toBe(counts.SIGHUP);
    } finally {
      await app.close();
    }
    expect(process.listenerCount('SIGTERM')).toBe(counts.SIGTERM);
  });
});
