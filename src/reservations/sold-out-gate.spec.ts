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

  it('ignores a sell-out older than a release it has applied (out-of-order messages)', () => {
    const { gate } = make();
    gate.record('v1', 0, 9);
    gate.clear('v1', 10);
    // Instance A's sell-out at version 9 reaches this process after B's release at version 10.
    gate.record('v1', 0, 9);
    expect(gate.blocks('v1', 1)).toBe(false);
    // A release the gate already applied does not reopen what a newer sell-out closed.
    gate.record('v1', 0, 11);
    gate.clear('v1', 10);
    expect(gate.blocks('v1', 1)).toBe(true);
  });

  it('compares versions only for a while, and always applies a figure without one', () => {
    const { clock, gate } = make();
    gate.clear('v1', 10);
    gate.record('v1', 0);
    expect(gate.blocks('v1', 1)).toBe(true);
    gate.clear('v1');
    clock.advance(10_000);
    // Ten seconds on, version 9 is no longer known to be stale; the gate's TTL bounds the harm.
    gate.record('v1', 0, 9);
    expect(gate.blocks('v1', 1)).toBe(true);
  });

  it('remembers versions of many variants without growing past its sweep', () => {
    const { clock, gate } = make();
    for (let i = 0; i < 10_000; i += 1) gate.record(`old-${i}`, 5, 1);
    clock.advance(10_000);
    gate.record('new', 0, 1);
    gate.record('new', 3, 1);
    // The sweep dropped the old versions but kept the new one: version 1 again is stale.
    expect(gate.blocks('new', 1)).toBe(true);
    expect((gate as unknown as { newest: Map<string, unknown> }).newest.size).toBe(1);
  });

  it('is off with a TTL of 0', () => {
    const { gate } = make('0');
    gate.record('v1', 0);
    expect(gate.blocks('v1', 1)).toBe(false);
  });
});
