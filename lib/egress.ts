/**
 * The one way out for requests whose address a user chose (estate webhooks; any push to
 * a regulator or a partner goes through here too): only public addresses, unless the
 * operator allow-lists the host. A property manager once pointed a webhook at
 * `http://127.0.0.1:8086/query?q=DROP DATABASE …` and pressed "test".
 *
 * - The host is resolved with dns.lookup (every address); one address that is loopback,
 *   private, link-local (cloud metadata included), CGNAT (Alibaba Cloud's metadata
 *   100.100.100.200), multicast, reserved or unspecified refuses the destination, also when
 *   written as an IPv4-mapped or NAT64/6to4-embedded IPv6 address.
 * - The connection goes to the address that was checked (a `lookup` that answers only it),
 *   so a DNS answer that changes between check and connect (rebinding) cannot move it.
 * - A redirect is a new destination, checked again; at most `maxRedirects` are followed,
 *   and only 307/308, which keep the method and body.
 * - A refusal says only `refused: destination not allowed`, and connection failures only
 *   `delivery failed`: what a user reads must not tell an open port from a closed one.
 *   The reason goes to the server log for the operator.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export const REFUSED = 'refused: destination not allowed';
export const FAILED = 'delivery failed';

/** The destination is not allowed; `reason` is for the server log, never for the user. */
export class EgressRefusedError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(REFUSED);
    this.name = 'EgressRefusedError';
    this.reason = reason;
  }
}

const NOT_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (Alibaba Cloud metadata 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const NOT_PUBLIC_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback ::1, IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const notPublic = new BlockList();
for (const [net, bits] of NOT_PUBLIC_V4) notPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of NOT_PUBLIC_V6) notPublic.addSubnet(net, bits, 'ipv6');

/** 32 bits as a dotted quad. */
const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The 8 groups of an IPv6 address (no zone), or null. */
function groupsOf(address: string): number[] | null {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const parts = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

/** The IPv4 address an IPv6 one carries (mapped, NAT64 well-known prefix, 6to4), if any. */
export function embeddedIPv4(address: string): string | null {
  const g = groupsOf(address);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return quad(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6]!, g[7]!); // 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!); // 2002:AABB:CCDD::
  return null;
}

/** True when the address is a public unicast one a webhook may reach. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !notPublic.check(address, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIPv4(address);
  if (v4) return isPublicAddress(v4);
  return !notPublic.check(address.split('%')[0]!, 'ipv6');
}

/** Hosts and networks the operator lets outbound requests reach although they are not public. */
export interface AllowList {
  readonly names: ReadonlySet<string>;
  readonly networks: BlockList;
  readonly empty: boolean;
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/**
 * Parses `WEBHOOK_ALLOW_HOSTS`: comma-separated host names (exact, any port), IP addresses
 * or CIDR networks (`10.20.0.0/16`, `fd00::/8`). Problems are listed, not thrown.
 */
export function parseAllowList(spec: string | undefined): { allow: AllowList; problems: string[] } {
  const names = new Set<string>();
  const networks = new BlockList();
  const problems: string[] = [];
  const entries = (spec ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bitsText, extra] = entry.replace(/^\[([^\]]*)\]/, '$1').split('/');
    const family = isIP(address!);
    if (family) {
      const max = family === 4 ? 32 : 128;
      const bits = bitsText === undefined ? max : Number(bitsText);
      if (extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
        problems.push(`${entry}: not a network (address/bits)`);
        continue;
      }
      networks.addSubnet(address!, bits, family === 4 ? 'ipv4' : 'ipv6');
    } else if (bitsText === undefined && HOSTNAME.test(address!)) {
      names.add(address!.replace(/\.$/, ''));
    } else {
      problems.push(`${entry}: not a host name, an IP address or a network`);
    }
  }
  return { allow: { names, networks, empty: entries.length === 0 }, problems };
}

function allowedAddress(allow: AllowList, address: string): boolean {
  if (allow.empty) return false;
  const family = isIP(address);
  if (family === 6) {
    const v4 = embeddedIPv4(address);
    if (v4 && allow.networks.check(v4, 'ipv4')) return true;
  }
  return family !== 0 && allow.networks.check(address.split('%')[0]!, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface EgressResponse {
  status: number;
  /** The first `maxBodyChars` of the body. */
  body: string;
}

export interface EgressRequest {
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

export interface EgressGuard {
  /**
   * Resolves the URL's host and checks every address; answers the one to connect to.
   * Throws EgressRefusedError, or the resolver's error (ENOTFOUND…).
   */
  check(url: URL): Promise<LookupAddress>;
  /** Sends one request through the guard, following allowed 307/308 redirects. */
  send(url: string, request: EgressRequest): Promise<EgressResponse>;
}

export interface EgressOptions {
  allow: AllowList;
  /** dns.lookup by default; tests may answer their own. */
  resolve?: Resolve;
  maxRedirects?: number;
  maxBodyChars?: number;
}

export function createEgressGuard(options: EgressOptions): EgressGuard {
  const { allow } = options;
  const resolve = options.resolve ?? systemResolve;
  const maxRedirects = options.maxRedirects ?? 3;
  const maxBodyChars = options.maxBodyChars ?? 2000;

  async function check(url: URL): Promise<LookupAddress> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new EgressRefusedError(`scheme ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const literal = isIP(host);
    const addresses = literal ? [{ address: host, family: literal }] : await resolve(host);
    if (addresses.length === 0) throw new EgressRefusedError(`${host} has no address`);
    if (allow.names.has(host.replace(/\.$/, ''))) return addresses[0]!;
    // Every address must pass: a name with one public and one private record would
    // otherwise reach the private one on some connections.
    for (const a of addresses)
      if (!isPublicAddress(a.address) && !allowedAddress(allow, a.address))
        throw new EgressRefusedError(`${host} resolves to ${a.address}`);
    return addresses[0]!;
  }

  function once(url: URL, pinned: LookupAddress, request: EgressRequest): Promise<IncomingMessage> {
    // Connect to the checked address only; TLS still verifies the certificate for the name.
    const lookup: LookupFunction = (_host, lookupOptions, callback) => {
      if ((lookupOptions as { all?: boolean }).all)
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolvePromise, reject) => {
      const req = send(url, {
        method: request.method,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup,
        agent: false,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      req.once('response', resolvePromise);
      req.once('error', reject);
      req.end(request.body);
    });
  }

  async function readBody(response: IncomingMessage): Promise<string> {
    let text = '';
    response.setEncoding('utf8');
    for await (const chunk of response) {
      text += chunk;
      if (text.length >= maxBodyChars) {
        response.destroy();
        break;
      }
    }
    return text.slice(0, maxBodyChars);
  }

  async function send(target: string, request: EgressRequest): Promise<EgressResponse> {
    let url = new URL(target);
    for (let hop = 0; ; hop++) {
      const pinned = await check(url);
      const response = await once(url, pinned, request);
      const location = response.headers.location;
      if ((response.statusCode === 307 || response.statusCode === 308) && location && hop < maxRedirects) {
        response.resume();
        url = new URL(location, url);
        continue;
      }
      return { status: response.statusCode ?? 0, body: await readBody(response) };
    }
  }

  return { check, send };
}
