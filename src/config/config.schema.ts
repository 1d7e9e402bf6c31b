import { isIP } from 'node:net';

/**
 * The environment schema. Each entry says how to read one variable; `loadConfig`
 * applies them all and reports every problem at once.
 */
export type Reader<T> = (raw: string | undefined, problems: string[], name: string) => T;

export function integer(options: { default?: number; min?: number; max?: number }): Reader<number> {
  return (raw, problems, name) => {
    if (raw === undefined || raw === '') {
      if (options.default === undefined) {
        problems.push(`${name} is required (an integer)`);
        return 0;
      }
      return options.default;
    }
    if (!/^-?\d+$/.test(raw.trim())) {
      problems.push(`${name} must be an integer, got "${raw}"`);
      return options.default ?? 0;
    }
    const value = Number(raw);
    if (options.min !== undefined && value < options.min) {
      problems.push(`${name} must be ≥ ${options.min}, got ${value}`);
    }
    if (options.max !== undefined && value > options.max) {
      problems.push(`${name} must be ≤ ${options.max}, got ${value}`);
    }
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[], fallback: T): Reader<T> {
  return (raw, problems, name) => {
    if (raw === undefined || raw === '') return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  };
}

export function optionalString(): Reader<string | undefined> {
  return (raw) => (raw === undefined || raw === '' ? undefined : raw);
}

export function stringWithDefault(fallback: string): Reader<string> {
  return (raw) => (raw === undefined || raw === '' ? fallback : raw);
}

export function boolean(fallback: boolean): Reader<boolean> {
  return (raw, problems, name) => {
    if (raw === undefined || raw === '') return fallback;
    const normalized = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
    if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };
}

/**
 * Who may name the client in X-Forwarded-For: `false` (nobody: the socket's peer is the client),
 * a hop count (that many proxies in front; the client is the address the outermost of them
 * appended), or a comma-separated list of proxy addresses and CIDRs (the client is the rightmost
 * address not in the list). `true` is read as 1 hop, never as "trust every hop": with every hop
 * trusted the client's own leftmost entry would be its address, and it could pick any.
 */
export type TrustProxy = false | number | string[];

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isProxyAddress(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const v4 = IPV4.test(address);
  const v6 = !v4 && isIP(address) === 6;
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

export function trustProxy(): Reader<TrustProxy> {
  return (raw, problems, name) => {
    const value = raw?.trim() ?? '';
    if (value === '' || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
    if (['true', 'yes', 'on'].includes(value.toLowerCase())) return 1;
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > 10) problems.push(`${name} as a hop count must be ≤ 10, got ${hops}`);
      return hops;
    }
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyAddress(entry));
    if (bad.length > 0) {
      problems.push(
        `${name} must be false, a hop count, or a comma-separated list of IP addresses/CIDRs; not ${bad.map((b) => `"${b}"`).join(', ')}`,
      );
      return false;
    }
    return entries;
  };
}

export function url(protocols: string[], fallback?: string): Reader<string | undefined> {
  return (raw, problems, name) => {
    const value = raw === undefined || raw === '' ? fallback : raw;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };
}

/** Five- or six-field cron expression; only the field count and characters are checked here. */
export function cron(fallback: string): Reader<string> {
  return (raw, problems, name) => {
    const value = raw === undefined || raw === '' ? fallback : raw.trim();
    const fields = value.split(/\s+/);
    if (fields.length < 5 || fields.length > 6 || !/^[\d*/,\-A-Za-z?\s]+$/.test(value)) {
      problems.push(`${name} must be a 5- or 6-field cron expression, got "${value}"`);
    }
    return value;
  };
}

/**
 * A MongoDB connection string. Not checked with WHATWG URL, which refuses seed lists
 * (`mongodb://db1:27017,db2:27017/...`); the driver parses the rest when it connects.
 */
export function mongoUri(): Reader<string | undefined> {
  return (raw, problems, name) => {
    if (raw === undefined || raw === '') return undefined;
    if (!/^mongodb(\+srv)?:\/\/[^/?#\s]+(\/[^?#\s]*)?(\?\S*)?$/.test(raw)) {
      problems.push(`${name} must be a mongodb:// or mongodb+srv:// connection string`);
    }
    return raw;
  };
}
