import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

// PLACEHOLDER (issue 6, explorer): replaced by the offline explorer.

/** `/explorer`, its assets, and a browser's `GET /graphql` (Accept: text/html). */
export function isExplorerRequest(req: IncomingMessage, url: URL): boolean {
  if (url.pathname === '/explorer' || url.pathname.startsWith('/explorer/')) return true;
  return url.pathname === '/graphql' && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export function serveExplorer(_req: IncomingMessage, res: ServerResponse, _url: URL, _config: Config): void {
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: 'NOT_FOUND', message: 'The API explorer is not built yet.' }));
}
