import { describe, expect, it } from 'vitest';
import { checkWebhookTarget, isPrivateAddress, type Resolver } from './webhook-target';

const resolver =
  (table: Record<string, string[]>): Resolver =>
  async (host) =>
    table[host] ?? [];

describe('webhook targets', () => {
  it('knows the internal ranges, IPv4-mapped IPv6 included', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('refuses non-http(s) URLs, credentials, and hosts with any private address', async () => {
    const dns = resolver({
      'shop.example': ['93.184.216.34'],
      'mixed.example': ['8.8.8.8', '10.0.0.1'],
    });
    await expect(
      checkWebhookTarget('https://shop.example/hook', false, dns),
    ).resolves.toBeInstanceOf(URL);
    const refused = async (url: string) => {
      try {
        await checkWebhookTarget(url, false, dns);
        return null;
      } catch (error) {
        return (error as { problem?: string }).problem;
      }
    };
    expect(await refused('ftp://shop.example/')).toBe('not_http');
    expect(await refused('file:///etc/passwd')).toBe('not_http');
    expect(await refused('not a url')).toBe('not_a_url');
    expect(await refused('https://user:pw@shop.example/')).toBe('credentials');
    expect(await refused('http://127.0.0.1:8080/')).toBe('private_address');
    expect(await refused('http://[::1]/')).toBe('private_address');
    expect(await refused('https://mixed.example/')).toBe('private_address');
    expect(await refused('https://unknown.example/')).toBe('private_address');
  });

  it('allows private targets when told to (development and tests)', async () => {
    const url = await checkWebhookTarget('http://127.0.0.1:9/hook', true, resolver({}));
    expect(url.port).toBe('9');
  });
});
