import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { SoldOutGate } from './sold-out-gate';

describe('SoldOutGate', () => {
  const make = (ttl = '1000') => {
    const clock = new ManualClock();
    return { clock, gate: new SoldOutGate(loadConfig({ SOLD_OUT_GATE_TTL_MS: ttl }), clock) };
  };

  it('blocks a variant seen at zero until the entry is a TTL old', () => {
    const { clock, gate } = make();
    gate.record('v1', 0);
    expect(gate.blocks('v1', 1)).toBe(true);
    clock.advance(999);
    expect(gate.blocks('v1', 1)).toBe(true);
    clock.advance(1);
    expect(gate.blocks('v1', 1)).toBe(false);
  });

  it('never blocks a variant that had stock, and forgets on clear', () => {
    const { gate } = make();
    gate.record('v1', 3);
    expect(gate.blocks('v1', 1)).toBe(false);
    gate.record('v2', 0);
    gate.clear('v2');
    expect(gate.blocks('v2', 1)).toBe(false);
  });

  it('is off with a TTL of 0', () => {
    const { gate } = make('0');
    gate.record('v1', 0);
    expect(gate.blocks('v1', 1)).toBe(false);
  });
});
