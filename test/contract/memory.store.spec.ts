import { MemoryStore } from '../../src/store/memory/memory.store';
import { describeCartContract } from './cart.contract';
import { describeLedgerContract } from './ledger.contract';
import { describeRetentionContract } from './retention.contract';
import { describeStoreContract } from './store.contract';
import { describeWaitlistContract } from './waitlist.contract';
import { describeWebhooksContract } from './webhooks.contract';

describeStoreContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return {
    store,
    cleanup: () => store.close(),
    corrupt: async (variantId, patch) => store.corruptInventoryForTest(variantId, patch),
  };
});

describeCartContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describeLedgerContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return {
    store,
    cleanup: () => store.close(),
    corrupt: async (variantId, patch) => store.corruptInventoryForTest(variantId, patch),
  };
});

describeWaitlistContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

// MongoDB has no purgeEndedReservations: its TTL index applies the rule (test/migrations/retention*).
describeRetentionContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describeWebhooksContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
