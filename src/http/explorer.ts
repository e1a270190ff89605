import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { ASSET_PREFIX, explorerBundle } from './explorer/explorer-bundle.js';
import { ASSET_CACHE_CONTROL, EXPLORER_SECURITY_HEADERS, PAGE_CACHE_CONTROL } from './explorer/explorer-headers.js';
import { sendStaticAsset } from './explorer/static-asset.js';

// The offline API explorer (SPEC.md §6, API explorer sessions): GraphiQL 4 with every file served
// from this gateway, so it works with no internet access and under a CSP that allows nothing else.

/** `/explorer`, its assets, and a browser's `GET /graphql` (one that prefers text/html over JSON). */
export function isExplorerRequest(req: IncomingMessage, url: URL): boolean {
  if (url.pathname === '/explorer' || url.pathname.startsWith('/explorer/')) return true;
  return url.pathname === '/graphql' && (req.method === 'GET' || req.method === 'HEAD') && prefersHtml(req.headers.accept);
}

/** Answers an explorer request; never rejects (the gateway returns its promise without awaiting it). */
export async function serveExplorer(req: IncomingMessage, res: ServerResponse, url: URL, config: Config): Promise<void> {
  try {
    if (!config.explorerEnabled) return sendJson(res, 404, { error: 'NOT_FOUND', message: disabledMessage(config) });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(
        res,
        405,
        { error: 'METHOD_NOT_ALLOWED', message: 'The API explorer is read-only: use GET. Send GraphQL requests to POST /graphql.' },
        { allow: 'GET, HEAD' },
      );
    }
    const bundle = await explorerBundle();
    if (url.pathname === '/explorer' || url.pathname === '/explorer/' || url.pathname === '/graphql') {
      return sendStaticAsset(req, res, bundle.page, { ...EXPLORER_SECURITY_HEADERS, 'cache-control': PAGE_CACHE_CONTROL });
    }
    const asset = url.pathname.startsWith(ASSET_PREFIX) ? bundle.assets.get(url.pathname.slice(ASSET_PREFIX.length)) : undefined;
    if (!asset) {
      return sendJson(res, 404, { error: 'NOT_FOUND', message: `No explorer file ${url.pathname}; it may be from an older release: reload /explorer.` });
    }
    sendStaticAsset(req, res, asset, { ...EXPLORER_SECURITY_HEADERS, 'cache-control': ASSET_CACHE_CONTROL });
  } catch (error) {
    // Only a missing or unreadable package file gets here.
    const message = `The API explorer's files could not be read (${error instanceof Error ? error.message : String(error)}); reinstall the gateway's dependencies with npm ci.`;
    if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', message });
    else res.end();
  }
}

function disabledMessage(config: Config): string {
  const why = config.nodeEnv === 'production' ? 'off in production' : 'off (EXPLORER_ENABLED=false)';
  return `The API explorer is ${why}; set EXPLORER_ENABLED=true to serve it.`;
}

/** True when text/html comes before any JSON type in Accept, as a browser's navigation sends it. */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  const html = types.indexOf('text/html');
  if (html === -1) return false;
  const json = types.findIndex((type) => type === 'application/json' || type === 'application/graphql-response+json');
  return json === -1 || html < json;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
