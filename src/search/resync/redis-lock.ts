import type Redis from 'ioredis';

/** Extends the expiry only while the key still holds our token. */
const EXTEND_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** Deletes the key only while it still holds our token. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * A lease in one Redis key: SET NX PX takes it with a random token, and extending or releasing
 * compares the token first (one Lua script each, so the check and the change are atomic). An
 * instance whose lease ran out can therefore never extend or delete the lease another instance
 * took since. The expiry frees the lock when its holder dies without releasing it.
 */
export class RedisLock {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly ttlMs: number,
  ) {}

  /** True when taken; false when someone holds it. Throws when Redis cannot answer. */
  async acquire(token: string): Promise<boolean> {
    return (await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** Pushes the expiry ttlMs ahead; false when the lock is no longer ours. */
  async extend(token: string): Promise<boolean> {
    return (await this.redis.eval(EXTEND_SCRIPT, 1, this.key, token, this.ttlMs)) === 1;
  }

  /** Frees the lock; false when it was not ours (expired, or taken over) and is left alone. */
  async release(token: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_SCRIPT, 1, this.key, token)) === 1;
  }
}
