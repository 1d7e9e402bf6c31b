import type { ChildProcess } from 'node:child_process';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { Store } from '../../src/store/store';

/**
 * A store shared with a child process over its IPC channel, for crash tests: the parent keeps the
 * data (as MongoDB would), a child runs the real workers on it and can be SIGKILLed at any point.
 * Fork the child with `serialization: 'advanced'`, so dates cross the channel as dates.
 */
interface StoreCall {
  type: 'store-call';
  id: number;
  method: string;
  args: unknown[];
}
interface StoreReply {
  type: 'store-reply';
  id: number;
  result?: unknown;
  error?: { name: string; message: string; code?: string };
}

/** The port's methods, as the memory store implements them (close and ping stay local). */
const METHODS = new Set(
  Object.getOwnPropertyNames(MemoryStore.prototype).filter(
    (name) => !['constructor', 'close', 'ping'].includes(name) && !name.startsWith('corrupt'),
  ),
);

/** Parent side: answers the child's store calls from `store`. */
export function serveStore(child: ChildProcess, store: Store): void {
  child.on('message', (message: StoreCall) => {
    if (message?.type !== 'store-call' || !METHODS.has(message.method)) return;
    const method = (store as unknown as Record<string, (...args: unknown[]) => unknown>)[
      message.method
    ];
    const reply = (answer: Omit<StoreReply, 'type' | 'id'>) => {
      if (!child.connected) return;
      try {
        child.send({ type: 'store-reply', id: message.id, ...answer } satisfies StoreReply);
      } catch {
        // The child died between the call and the answer: nobody is waiting any more.
      }
    };
    Promise.resolve()
      .then(() => method.apply(store, message.args))
      .then(
        (result) => reply({ result }),
        (error: Error & { code?: string }) =>
          reply({ error: { name: error.name, message: error.message, code: error.code } }),
      );
  });
}

/** Child side: a Store whose every method is a call to the parent. */
export function ipcStore(): Store {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  process.on('message', (message: StoreReply) => {
    if (message?.type !== 'store-reply') return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (!waiting) return;
    if (message.error) {
      waiting.reject(Object.assign(new Error(message.error.message), message.error));
    } else {
      waiting.resolve(message.result);
    }
  });
  const call = (method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      process.send!({ type: 'store-call', id, method, args } satisfies StoreCall);
    });
  const local: Record<string, unknown> = {
    kind: 'memory',
    transactionRetries: 0,
    ping: async () => undefined,
    close: async () => undefined,
    // The waitlist's policy and notices belong to the store that makes the offers: the parent's.
    configureWaitlist: () => undefined,
    onWaitlistNotices: () => undefined,
  };
  // Anything else (Nest's probes for lifecycle hooks, `then`) is not there, as on a real store.
  return new Proxy(Object.create(Store.prototype) as Store, {
    get(target, property) {
      if (typeof property === 'string' && property in local) return local[property];
      if (typeof property === 'string' && METHODS.has(property)) {
        return (...args: unknown[]) => call(property, args);
      }
      return Reflect.get(target, property);
    },
  });
}
