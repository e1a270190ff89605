import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 point 1: the explorer's HTTP contract (what is served, how it is cached, what the CSP allows).

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** As sent on the wire: still gzipped when content-encoding says so. */
  body: Buffer;
}

/** A request through node:http, which leaves the encoding and validators alone (fetch would not). */
function request(gw: TestGateway, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, gw.url), { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function cspDirectives(header: string | string[] | undefined): Record<string, string> {
  expect(typeof header, 'Content-Security-Policy header').toBe('string');
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

/** Every src and href of the page. */
const referencedUrls = (html: string) => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');

describe('the explorer over HTTP (enabled, the default outside production)', () => {
  let gw: TestGateway;
  let page: RawResponse;
  let html: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    page = await request(gw, '/explorer');
    html = page.body.toString('utf8');
  });
  afterAll(() => gw?.close());

  it('serves the page at /explorer, and at GET /graphql to a browser', async () => {
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html).toContain('<div id="explorer"></div>');
    const fromGraphql = await request(gw, '/graphql', { headers: { accept: BROWSER_ACCEPT } });
    expect(fromGraphql.status).toBe(200);
    expect(fromGraphql.body.equals(page.body)).toBe(true);
  });

  it('leaves GET /graphql to GraphQL when the client asks for JSON', async () => {
    const response = await request(gw, '/graphql?query=%7B__typename%7D', { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(response.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    expect(response.body.toString()).not.toContain('<html');
  });

  it('references only files of the gateway itself, and the gateway serves every one', async () => {
    const urls = referencedUrls(html);
    expect(urls.filter((url) => url.endsWith('.js'))).toHaveLength(4);
    expect(urls.filter((url) => url.endsWith('.css'))).toHaveLength(2);
    for (const url of urls) {
      if (url.startsWith('data:')) continue;
      expect(url, 'every asset is a root-relative path under /explorer/assets/').toMatch(/^\/explorer\/assets\/[\w.-]+$/);
      const asset = await request(gw, url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers['content-type'], url).toBe(url.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(asset.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['x-content-type-options'], url).toBe('nosniff');
      expect(asset.body.length, url).toBeGreaterThan(0);
    }
  });

  it('sets a CSP that allows only this origin, data: fonts and images, and one hashed style: no inline script, no eval', () => {
    expect(cspDirectives(page.headers['content-security-policy'])).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self' 'sha256-nzTgYzXYDNe6BAHiiI7NNlfK8n/auuOAhh2t92YvuXo='",
      'img-src': 'data:',
      'font-src': 'data:',
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
    });
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-(eval|inline|hashes)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('has the page revalidated on every load, answering 304 to a matching If-None-Match', async () => {
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = page.headers.etag;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const revalidated = await request(gw, '/explorer', { headers: { 'if-none-match': String(etag) } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
    const stale = await request(gw, '/explorer', { headers: { 'if-none-match': '"0000"' } });
    expect(stale.status).toBe(200);
  });

  it('sends gzip when the client accepts it, under its own ETag, and the 304 holds for it too', async () => {
    const script = referencedUrls(html).find((url) => url.startsWith('/explorer/assets/graphiql.'));
    const plain = await request(gw, String(script));
    const gzipped = await request(gw, String(script), { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gzipped.body.length).toBeLessThan(plain.body.length);
    expect(gzipped.headers.etag).not.toBe(plain.headers.etag);
    const revalidated = await request(gw, String(script), { headers: { 'accept-encoding': 'gzip', 'if-none-match': String(gzipped.headers.etag) } });
    expect(revalidated.status).toBe(304);
  });

  it('answers HEAD with the headers only', async () => {
    const head = await request(gw, '/explorer', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(page.headers.etag);
    expect(head.body.length).toBe(0);
  });

  it('refuses other methods with 405 and Allow', async () => {
    const post = await request(gw, '/explorer', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body.toString())).toMatchObject({ error: 'METHOD_NOT_ALLOWED' });
  });

  it('answers 404 with what to do for an asset it does not have', async () => {
    const missing = await request(gw, '/explorer/assets/graphiql.0000000000000000.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toEqual({
      error: 'NOT_FOUND',
      message: 'No explorer file /explorer/assets/graphiql.0000000000000000.js; it may be from an older release: reload /explorer.',
    });
  });
});

const PRODUCTION = {
  NODE_ENV: 'production',
  // Production refuses the shared development secret; a JWKS URL is only fetched when a JWT arrives.
  AUTH_JWT_SECRET: '',
  AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
  AUTH_JWT_ISSUER: 'https://issuer.invalid/',
  AUTH_JWT_AUDIENCE: 'gatehouse',
};

describe.each([
  {
    setting: 'production by default',
    env: PRODUCTION,
    served: false,
    message: 'The API explorer is off in production; set EXPLORER_ENABLED=true to serve it.',
  },
  { setting: 'production with EXPLORER_ENABLED=true', env: { ...PRODUCTION, EXPLORER_ENABLED: 'true' }, served: true, message: '' },
  {
    setting: 'development with EXPLORER_ENABLED=false',
    env: { NODE_ENV: 'development', EXPLORER_ENABLED: 'false' },
    served: false,
    message: 'The API explorer is off (EXPLORER_ENABLED=false); set EXPLORER_ENABLED=true to serve it.',
  },
])('the explorer in $setting', ({ env, served, message }) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(env);
  });
  afterAll(() => gw?.close());

  it(
    served ? 'is served at /explorer and to a browser at /graphql' : 'answers 404 at /explorer and to a browser at /graphql, saying how to turn it on',
    async () => {
      for (const response of [await request(gw, '/explorer'), await request(gw, '/graphql', { headers: { accept: BROWSER_ACCEPT } })]) {
        if (served) {
          expect(response.status).toBe(200);
          expect(response.body.toString()).toContain('<div id="explorer"></div>');
        } else {
          expect(response.status).toBe(404);
          expect(JSON.parse(response.body.toString())).toEqual({ error: 'NOT_FOUND', message });
        }
      }
    },
  );
});
