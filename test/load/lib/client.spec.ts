import { describe, expect, it } from 'vitest';
import { isLoopback } from './client.mjs';

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1']) {
      expect(isLoopback(host)).toBe(true);
    }
    for (const host of [
      '10.0.0.1',
      '192.168.1.2',
      'example.com',
      '0.0.0.0',
      '127.0.0.1.example.com',
    ]) {
      expect(isLoopback(host)).toBe(false);
    }
  });
});
