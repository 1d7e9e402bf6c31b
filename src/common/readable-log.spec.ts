import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PinoNestLogger } from './logging';
import { formatReadableLine, readableDestination } from './readable-log';

describe('development log lines', () => {
  it('turns a pino JSON line into one readable line with its context and fields', () => {
    const line = formatReadableLine(
      JSON.stringify({
        level: 30,
        time: Date.UTC(2030, 0, 1, 12, 0, 1, 234),
        pid: 1,
        hostname: 'h',
        context: 'Bootstrap',
        msg: 'stockhold listening on http://0.0.0.0:3000',
        req: { id: 'r1' },
      }),
    );
    expect(line).toBe(
      '12:00:01.234 INFO  [Bootstrap] stockhold listening on http://0.0.0.0:3000 req={"id":"r1"}\n',
    );
  });

  it('puts an error stack under its line', () => {
    const line = formatReadableLine(
      JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { stack: 'Error: boom\n    at x' } }),
    );
    expect(line).toBe('00:00:00.000 ERROR boom\nError: boom\n    at x\n');
  });
});

describe('Nest start-up lines', () => {
  const collect = (level: pino.Level) => {
    const lines: string[] = [];
    const logger = pino(
      { level },
      readableDestination((text) => lines.push(text)),
    );
    return { nest: new PinoNestLogger(logger), lines };
  };

  it('logs module loading and route mapping at debug, not info', () => {
    const { nest, lines } = collect('info');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/v1/reservations, POST} route', 'RouterExplorer');
    nest.log('ReservationsController {/v1/reservations}:', 'RoutesResolver');
    nest.log('stockhold listening on http://127.0.0.1:3000', 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[Bootstrap] stockhold listening on');
  });

  it('still shows them at debug', () => {
    const { nest, lines } = collect('debug');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(lines[0]).toMatch(/DEBUG \[InstanceLoader\] AppModule dependencies initialized/);
  });
});
