import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { initialStocks, Model, propertySettings, reservationCommands } from './reservation-model';
import { storeSystem } from './store-system';

describe('hold lifecycle against the memory store (model-based)', () => {
  it('keeps the figures, conservation, caps and terminal states after every step', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(initialStocks, reservationCommands(30), async (stocks, commands) => {
        run += 1;
        const system = await storeSystem(new MemoryStore(), stocks, `m${run}`);
        await fc.asyncModelRun(() => ({ model: new Model(stocks), real: system }), commands);
      }),
      propertySettings(150),
    );
  });
});
