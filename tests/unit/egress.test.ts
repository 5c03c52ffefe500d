import { describe, expect, it } from 'vitest';
import {
  createEgressGuard,
  EgressRefusedError,
  embeddedIPv4,
  isPublicAddress,
  parseAllowList,
  REFUSED,
} from '../../lib/egress.ts';

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', false],
    ['127.255.0.9', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.20', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['100.100.100.200', false],
    ['0.0.0.0', false],
    ['224.0.0.251', false],
    ['255.255.255.255', false],
    ['198.51.100.7', false],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['::1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:a9fe:a9fe', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::10.0.0.1', false],
    ['64:ff9b::8.8.8.8', true],
    ['2002:7f00:1::', false],
    ['fc00::1', false],
    ['fd00:ec2::254', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['2400:3200::1', true],
    ['2001:4860:4860::8888', true],
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('reads the IPv4 inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('64:ff9b::a00:1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2002:c0a8:0101::1')).toBe('192.168.1.1');
    expect(embeddedIPv4('2400:3200::1')).toBeNull();
  });
});

describe('parseAllowList', () => {
  it('takes names, addresses and networks, and lists what it cannot read', () => {
    const { allow, problems } = parseAllowList(' Hooks.Corp.Example , 10.20.0.0/16, ::1, [fd00::]/8,, ');
    expect([...allow.names]).toEqual(['hooks.corp.example']);
    expect(allow.networks.check('10.20.3.4', 'ipv4')).toBe(true);
    expect(allow.networks.check('10.21.0.1', 'ipv4')).toBe(false);
    expect(allow.networks.check('::1', 'ipv6')).toBe(true);
    expect(problems).toEqual([]);
    expect(parseAllowList('10.0.0.0/33, http://x, a b, 1.2.3.4/8/1').problems).toHaveLength(4);
    expect(parseAllowList('').allow.empty).toBe(true);
  });
});

describe('createEgressGuard().check', () => {
  const dns: Record<string, string[]> = {
    'hooks.example.com': ['93.184.216.34'],
    'internal.example.com': ['10.0.0.5'],
    'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
    'v6.example.com': ['::1'],
  };
  const resolve = async (host: string) =>
    (dns[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const check = (url: string, allowSpec = '') =>
    createEgressGuard({ allow: parseAllowList(allowSpec).allow, resolve }).check(new URL(url));

  it('answers the checked address of a public host', async () => {
    expect(await check('https://hooks.example.com/x')).toEqual({ address: '93.184.216.34', family: 4 });
  });

  it.each([
    'http://127.0.0.1:8086/query?q=DROP%20DATABASE%20liftwatch',
    'http://2130706433:8086/',
    'http://0x7f.1:8086/',
    'http://[::1]:8086/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://internal.example.com/',
    'http://mixed.example.com/',
    'http://v6.example.com/',
  ])('refuses %s with a neutral message', async (url) => {
    const refused = await check(url).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EgressRefusedError);
    expect((refused as Error).message).toBe(REFUSED);
  });

  it('lets the operator allow a host by name, by address or by network', async () => {
    expect((await check('http://internal.example.com/', 'internal.example.com')).address).toBe('10.0.0.5');
    expect((await check('http://internal.example.com/', '10.0.0.0/24')).address).toBe('10.0.0.5');
    expect((await check('http://127.0.0.1:9/', '127.0.0.1')).address).toBe('127.0.0.1');
    // Allowing a name does not allow another name for the same address, nor the bare address.
    await expect(check('http://127.0.0.1:9/', 'localhost')).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(check('http://mixed.example.com/', 'internal.example.com')).rejects.toBeInstanceOf(
      EgressRefusedError,
    );
  });
});
