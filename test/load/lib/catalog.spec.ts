import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrivals, SCENARIOS } from './catalog.mjs';

const scenariosDir = join(__dirname, '..', 'scenarios');

/**
 * The few settings the runner relies on, read line by line: the files are flat enough, and this
 * keeps the spec free of a YAML parser the root install does not declare.
 */
function read(name: string) {
  const text = readFileSync(join(scenariosDir, `${name}.yml`), 'utf8');
  const all = (key: string) =>
    [...text.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(.+)$`, 'gm'))].map((m) => m[1].trim());
  return {
    arrivalCounts: all('arrivalCount').map(Number),
    arrivalRates: all('arrivalRate'),
    durations: all('duration').map(Number),
    target: all('target')[0],
    order: all('order')[0],
    fields: all('fields')[0],
    processor: all('processor')[0],
  };
}

describe('scenario files', () => {
  it.each(Object.keys(SCENARIOS))('%s starts exactly one virtual user per signed token', (name) => {
    const file = read(name);
    const started = file.arrivalCounts.reduce((total, count) => total + count, 0);
    expect(file.arrivalRates).toEqual([]);
    expect(started).toBe(arrivals(SCENARIOS[name as keyof typeof SCENARIOS]));
    expect(file.order).toBe('sequence');
  });

  it.each(Object.keys(SCENARIOS))(
    '%s is bounded in time and aims where the runner says',
    (name) => {
      const file = read(name);
      const seconds = file.durations.reduce((total, duration) => total + duration, 0);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(30);
      expect(file.target.replace(/['"]/g, '')).toBe('{{ $env.STOCKHOLD_TARGET }}');
    },
  );

  it('gives bot-hoarding a role column and the processor that reads it', () => {
    const file = read('bot-hoarding');
    expect(file.fields).toBe('[role, token]');
    expect(file.processor).toBe('../processor.mjs');
  });

  it('asks bots for more attempts than the default reservation rate limit (10 a minute)', () => {
    expect(SCENARIOS['bot-hoarding'].botAttempts).toBeGreaterThan(10);
  });
});
