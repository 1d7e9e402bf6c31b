import type { Store } from '../../src/store/store';

export interface CountingStore {
  /** The store to hand to the apps: every method call through it is counted. */
  store: Store;
  /** Calls made so far, by method name. */
  calls: Map<string, number>;
  /** Calls made so far, all methods. */
  total: () => number;
}

/**
 * Wraps a store in a proxy that counts every method call, so a test can show that a request was
 * answered without reaching the store. `instanceof Store` still holds (the prototype is the target's).
 */
export function countingStore(target: Store): CountingStore {
  const calls = new Map<string, number>();
  const store = new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  const total = () => [...calls.values()].reduce((sum, count) => sum + count, 0);
  return { store, calls, total };
}
