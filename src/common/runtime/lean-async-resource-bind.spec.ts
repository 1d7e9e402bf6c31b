import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  const installed = installLeanAsyncResourceBind();

  it('replaces bind on a runtime that adds the deprecated asyncResource property', () => {
    const major = Number(process.versions.node.split('.')[0]);
    // Node 20, 22 and 24 add the property (DEP0172 runtime-deprecated); its End-of-Life drops it.
    if (major <= 22) expect(installed).toBe(true);
    expect(installLeanAsyncResourceBind()).toBe(installed);
    const bound = new AsyncResource('test').bind(() => undefined);
    expect(Object.prototype.hasOwnProperty.call(bound, 'asyncResource')).toBe(false);
  });

  it('runs the bound function in the resource scope, with its arguments and result', () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind((a: number, b: number) => ({ sum: a + b, id: executionAsyncId() }));
    expect(bound(2, 3)).toEqual({ sum: 5, id: resource.asyncId() });
    expect(bound.length).toBe(2);
  });

  it('carries the AsyncLocalStorage context of where the resource was made', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () =>
      new AsyncResource('test').bind(() => storage.getStore()),
    );
    const seen = await new Promise((resolve) =>
      storage.run('request-2', () => setImmediate(() => resolve(bound()))),
    );
    expect(seen).toBe('request-1');
  });

  it('uses the caller’s this without thisArg, and thisArg when given', () => {
    const resource = new AsyncResource('test');
    function whoAmI(this: { name: string }) {
      return this.name;
    }
    const owner = { name: 'owner', whoAmI: resource.bind(whoAmI) };
    expect(owner.whoAmI()).toBe('owner');
    // @types/node leaves out bind's documented second argument, thisArg.
    const bindWithThis = resource.bind.bind(resource) as unknown as (
      fn: typeof whoAmI,
      thisArg: { name: string },
    ) => typeof whoAmI;
    expect(bindWithThis(whoAmI, { name: 'fixed' }).call({ name: 'other' })).toBe('fixed');
  });

  it('refuses what is not a function, as Node does', () => {
    const resource = new AsyncResource('test');
    expect(() => resource.bind('nope' as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
