import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { httpSystem } from './http-system';
import {
  initialStocks,
  MAX_ACTIVE,
  Model,
  propertySettings,
  reservationCommands,
} from './reservation-model';

describe('hold lifecycle through the HTTP app (model-based)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No workers (the test app's default): holds expire only when the test's expire step says.
    t = await startTestApp({
      manualClock: true,
      env: { MAX_ACTIVE_RESERVATIONS: String(MAX_ACTIVE) },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the figures, conservation, caps and terminal states after every step', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(initialStocks, reservationCommands(20), async (stocks, commands) => {
        run += 1;
        const system = await httpSystem(t, stocks, `h${run}-${Date.now().toString(36)}`);
        await fc.asyncModelRun(() => ({ model: new Model(stocks), real: system }), commands);
      }),
      propertySettings(30),
    );
  });
});
