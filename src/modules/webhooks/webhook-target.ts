import dns from 'node:dns';
import net from 'node:net';

/**
 * Where a webhook may be sent (server-side request forgery). A target is an absolute https URL
 * (http only with WEBHOOK_ALLOW_HTTP, on by default in development) whose host resolves only to
 * public addresses: private, loopback, link-local (the cloud metadata address 169.254.169.254
 * among them), unique-local, multicast, reserved and unspecified ranges are refused unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS is on. It is checked at registration and again at every attempt,
 * and the attempt connects to the very address it checked (no second lookup a rebinding DNS
 * server could answer differently).
 */
export interface TargetPolicy {
  allowPrivateTargets: boolean;
  allowHttp: boolean;
}

export interface ResolvedTarget {
  url: URL;
  /** The checked address the request connects to. */
  address: string;
  family: 4 | 6;
}

/** Why a target is refused, in words the registrant can act on. */
export class TargetRefused extends Error {}

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const LOOKUP_TIMEOUT_MS = 5_000;
export const MAX_URL_LENGTH = 2048;

const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

// [first address, prefix length, what the range is]
const BLOCKED_V4: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata services live here)'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
const BLOCKED_V6: ReadonlyArray<readonly [string, number, string]> = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['fc00::', 7, 'a unique-local (private) address'],
  ['ff00::', 8, 'a multicast address'],
  ['100::', 64, 'a discard address'],
];

function blockList(ranges: ReadonlyArray<readonly [string, number, string]>, family: 'ipv4' | 'ipv6') {
  return ranges.map(([network, prefix, what]) => {
    const list = new net.BlockList();
    list.addSubnet(network, prefix, family);
    return { list, what };
  });
}
const V4 = blockList(BLOCKED_V4, 'ipv4');
const V6 = blockList(BLOCKED_V6, 'ipv6');

/** The 16 bytes of an IPv6 address (net.isIP says it is one), an embedded dotted quad included. */
function ipv6Bytes(address: string): number[] | null {
  let text = (address.split('%')[0] ?? '').toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const words = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return null;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** IPv4 embedded in an IPv6 address that reaches it: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible, NAT64 (64:ff9b::/96). */
function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (b === null) return null;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const compatible = zeros(0, 12) && !zeros(12, 16);
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12);
  return mapped || compatible || nat64 ? b.slice(12).join('.') : null;
}

/** What kind of non-public address this is, or null for a public one. */
export function nonPublicRange(address: string): string | null {
  const family = net.isIP(address);
  if (family === 4) return V4.find(({ list }) => list.check(address, 'ipv4'))?.what ?? null;
  if (family !== 6) return 'not an IP address';
  const v6 = V6.find(({ list }) => list.check(address, 'ipv6'))?.what;
  if (v6) return v6;
  const v4 = embeddedIpv4(address);
  return v4 === null ? null : nonPublicRange(v4);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TargetRefused(what)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The URL, if its form is acceptable (no DNS yet); TargetRefused says why not. */
export function parseTargetUrl(raw: string, policy: TargetPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw new TargetRefused(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('must be an absolute URL such as https://example.com/webhooks');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new TargetRefused(
      url.protocol === 'http:'
        ? 'must use https: plain http is refused outside development (the operator setting WEBHOOK_ALLOW_HTTP=true allows it)'
        : `must use https, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  if (url.username || url.password) throw new TargetRefused('must not carry a user name or password: authenticate deliveries by their signature');
  if (url.hash) throw new TargetRefused('must not have a #fragment');
  return url;
}

/**
 * Resolves the URL's host and checks every address it resolves to; answers the first, which the
 * request then connects to. Refuses when the host does not resolve, or when any address is not
 * public (a name with one public and one private address could be steered to the private one).
 */
export async function resolveTarget(url: URL, policy: TargetPolicy, lookup: Lookup = systemLookup): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: Array<{ address: string; family: number }>;
  if (net.isIP(host)) {
    addresses = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      addresses = await withTimeout(lookup(host), LOOKUP_TIMEOUT_MS, `host "${host}" did not resolve within ${LOOKUP_TIMEOUT_MS / 1000} s`);
    } catch (error) {
      if (error instanceof TargetRefused) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'an error';
      throw new TargetRefused(`host "${host}" does not resolve (${code}): use a public DNS name or address`);
    }
    if (addresses.length === 0) throw new TargetRefused(`host "${host}" does not resolve to any address`);
  }
  if (!policy.allowPrivateTargets) {
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range !== null) {
        throw new TargetRefused(
          `host "${host}" resolves to ${address}, ${range}; webhooks go to public addresses only (the operator setting WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows others)`,
        );
      }
    }
  }
  const first = addresses[0];
  if (!first) throw new TargetRefused(`host "${host}" does not resolve to any address`);
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** Both checks, for registration. */
export async function checkTarget(raw: string, policy: TargetPolicy, lookup?: Lookup): Promise<ResolvedTarget> {
  return resolveTarget(parseTargetUrl(raw, policy), policy, lookup);
}
