import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE is set: a subscription is an
 * admin-chosen URL the workers will call, so without this an admin token (or a leaked one) could
 * make the service probe its own network (SSRF).
 */
const PRIVATE_RANGES: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];

const blocked = new BlockList();
for (const [address, prefix, family] of PRIVATE_RANGES) blocked.addSubnet(address, prefix, family);

/** True for an address in a loopback, link-local, private or otherwise internal range. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: never safe to call
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, 'ipv6');
}

export type TargetProblem = 'not_a_url' | 'not_http' | 'credentials' | 'private_address';

export class WebhookTargetRefused extends Error {
  constructor(
    readonly problem: TargetProblem,
    message: string,
  ) {
    super(message);
  }
}

/** How a host name is resolved (the real DNS by default; tests pass their own). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Checks a webhook URL: http or https only, no user:password, and — unless private targets are
 * allowed — every address the host resolves to outside the private ranges (all of them: a name
 * with one public and one private address is refused). Checked when the subscription is made and
 * again before each delivery, since DNS answers change.
 */
export async function checkWebhookTarget(
  url: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRefused('not_a_url', 'url must be an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookTargetRefused('not_http', 'url must be http or https');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new WebhookTargetRefused('credentials', 'url must not carry a user name or password');
  }
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : await resolve(host);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new WebhookTargetRefused(
      'private_address',
      'url resolves to a loopback, link-local or private address',
    );
  }
  return parsed;
}
