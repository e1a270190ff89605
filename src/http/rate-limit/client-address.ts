import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request is counted against (README "Rate limits", TRUSTED_PROXY_HOPS).
 *
 * Each proxy appends the address it received the request from to X-Forwarded-For, so the entry
 * `hops` from the right is what the outermost trusted proxy saw. Entries further left were written
 * by whoever sent the request and can be anything, which is why they are never used.
 */
export function clientAddress(req: IncomingMessage, trustedProxyHops: number): string {
  const socket = normalizeAddress(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (trustedProxyHops <= 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const entry = entries[entries.length - trustedProxyHops];
  // Fewer entries than trusted proxies: the request did not come through all of them (a health
  // check, a misconfigured hop count); the socket's peer is the best address there is.
  return (entry === undefined ? undefined : normalizeAddress(entry)) ?? socket;
}

/**
 * One spelling per client: `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`,
 * ports some proxies append are dropped, IPv6 is lower case. Not an IP address: undefined.
 */
export function normalizeAddress(raw: string): string | undefined {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1]) address = mapped[1];
  return isIP(address) === 0 ? undefined : address;
}
