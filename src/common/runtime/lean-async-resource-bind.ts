import { AsyncResource } from 'node:async_hooks';

/**
 * Node's `AsyncResource#bind` (20 to 24 at least) gives every bound function a deprecated `asyncResource`
 * accessor pair (DEP0172), built through `util.deprecate`, which costs about 12 µs a call here
 * (nodejs/node#58218). Fastify binds one callback per request body it parses, so on those lines a
 * small JSON POST cost bare Fastify three to four times the CPU of the same POST without a body
 * (docs/benchmarks.md). Newer Node lines stop adding the property (DEP0172 End-of-Life,
 * nodejs/node#58618); this gives the runtimes that still add it the same `bind`: the function
 * runs in the resource's async scope with the given `this`, keeps the original `length`, and
 * carries no `asyncResource` property.
 *
 * It changes nothing on a runtime whose `bind` already adds no such property, and only the
 * deprecated property is lost: reading it printed a deprecation warning anyway.
 * Returns whether it replaced `bind` (now or on an earlier call).
 */
export function installLeanAsyncResourceBind(): boolean {
  if (AsyncResource.prototype.bind === (leanBindMethod as unknown)) return true;
  if (!bindAddsDeprecatedProperty()) return false;
  Object.defineProperty(AsyncResource.prototype, 'bind', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: leanBindMethod,
  });
  return true;
}

function leanBindMethod(this: AsyncResource, fn: unknown, thisArg?: unknown): unknown {
  return leanBind(this, fn, thisArg);
}

function bindAddsDeprecatedProperty(): boolean {
  const probe = new AsyncResource('stockhold:bind-probe', { requireManualDestroy: true });
  // hasOwnProperty reads no accessor, so the probe prints no deprecation warning.
  return Object.prototype.hasOwnProperty.call(probe.bind(noop), 'asyncResource');
}

function noop(): void {}

/** `AsyncResource#bind` as newer Node lines have it: without the deprecated property. */
function leanBind(resource: AsyncResource, fn: unknown, thisArg: unknown): unknown {
  if (typeof fn !== 'function') {
    throw Object.assign(
      new TypeError(`The "fn" argument must be of type function. Received ${typeof fn}`),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
  }
  const target = fn as (...args: unknown[]) => unknown;
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(target, this, ...args);
        }
      : resource.runInAsyncScope.bind(resource, target, thisArg);
  Object.defineProperty(bound, 'length', {
    configurable: true,
    enumerable: false,
    writable: false,
    value: target.length,
  });
  return bound;
}
