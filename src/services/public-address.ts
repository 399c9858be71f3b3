/**
 * Webhooks go only to public addresses (docs/decisions/1102-webhooks-public-addresses.md).
 * A clinic admin types the URL; without this check the worker could be pointed at loopback,
 * the private network, link-local (cloud metadata at 169.254.169.254) or other special ranges,
 * and used to probe or call what sits behind the firewall.
 *
 * Checked twice: when the URL is saved (a literal address or a local-only name is refused at
 * once, `webhookHostProblem`) and at send time on every address the name resolves to
 * (`publicLookup`, which the HTTP request connects with, so the address checked is the address
 * used: no second resolution to rebind). An operator may allow named hosts for testing
 * (NEEDLECARE_WEBHOOK_ALLOW_HOSTS).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** Names that only ever mean this machine or the local network. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/** [network bytes, prefix length] of IPv4 ranges that are not the public internet. */
const IPV4_BLOCKED: ReadonlyArray<readonly [readonly number[], number]> = [
  [[0, 0, 0, 0], 8], // "this" network
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay anycast
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

const IPV6_BLOCKED: ReadonlyArray<readonly [readonly number[], number]> = [
  [[0], 128], // unspecified ::
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128], // loopback ::1
  [[0x01, 0x00], 64], // discard 100::/64
  [[0x20, 0x01, 0x00, 0x00], 32], // Teredo 2001::/32
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation 2001:db8::/32
  [[0xfc], 7], // unique local fc00::/7 (incl. fd00:ec2::254, AWS metadata)
  [[0xfe, 0x80], 10], // link-local fe80::/10
  [[0xfe, 0xc0], 10], // old site-local fec0::/10
  [[0xff], 8], // multicast
];

function inPrefix(bytes: readonly number[], network: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 1) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** 16 bytes of an IPv6 address (`isIP(text) === 6`), including a dotted IPv4 tail. */
function ipv6Bytes(text: string): number[] {
  let s = text.replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(tail[1]);
    s = `${s.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = s.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const words = [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  return words.flatMap((w) => {
    const n = Number.parseInt(w, 16);
    return [n >> 8, n & 0xff];
  });
}

/**
 * Is this IP address on the public internet? IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible,
 * NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged by the IPv4 address inside.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, ''));
  const text = address.replace(/^\[|\]$/g, '');
  if (family === 4) {
    const bytes = ipv4Bytes(text);
    return !IPV4_BLOCKED.some(([net, prefix]) => inPrefix(bytes, net, prefix));
  }
  if (family !== 6) return false;
  const bytes = ipv6Bytes(text);
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible form)
  if (zeros(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || zeros(10, 12))) {
    if (zeros(0, 16) || (zeros(0, 15) && bytes[15] === 1)) return false;
    return isPublicAddress(bytes.slice(12, 16).join('.'));
  }
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b], 96)) {
    return isPublicAddress(bytes.slice(12, 16).join('.'));
  }
  if (inPrefix(bytes, [0x20, 0x02], 16)) return isPublicAddress(bytes.slice(2, 6).join('.'));
  return !IPV6_BLOCKED.some(([net, prefix]) => inPrefix(bytes, net, prefix));
}

/** A URL's host as compared with the allow list: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

/**
 * Save-time check of a webhook URL's host, before any DNS: a literal address must be public,
 * a name must not be a local-only one. Returns a problem in words, or null.
 */
export function webhookHostProblem(url: URL, allowHosts: readonly string[]): string | null {
  const host = hostOf(url);
  if (allowHosts.includes(host)) return null;
  if (isIP(host) !== 0) {
    return isPublicAddress(host)
      ? null
      : 'must be a public address (not loopback, private, link-local or metadata)';
  }
  if (!host.includes('.') || LOCAL_NAME.test(host)) {
    return 'must be a public host name (not localhost or a local-network name)';
  }
  return null;
}

export class NonPublicAddressError extends Error {
  constructor(host: string, address: string) {
    super(`webhook host ${host} resolves to ${address}, which is not a public address`);
    this.name = 'NonPublicAddressError';
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves the name, refuses it when **any** of its
 * addresses is not public, and hands the socket the checked address. Hosts on `allowHosts`
 * resolve without the check (tests, a named on-premises receiver).
 */
export function publicLookup(allowHosts: readonly string[]) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const list = addresses;
      if (!allowHosts.includes(host)) {
        const bad = list.find((a) => !isPublicAddress(a.address));
        if (bad !== undefined || list.length === 0) {
          callback(new NonPublicAddressError(host, bad?.address ?? 'nothing'), []);
          return;
        }
      }
      if (options.all === true) callback(null, list);
      else {
        const first = list[0];
        if (first === undefined) callback(new NonPublicAddressError(host, 'nothing'), []);
        else callback(null, first.address, first.family);
      }
    });
  };
}
