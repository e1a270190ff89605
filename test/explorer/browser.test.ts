import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 point 2: the explorer, opened in a real browser with no network but the gateway's.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SCREENSHOT = path.join(ROOT_DIR, 'test-artifacts', 'explorer.png');

let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
});

const isIntrospection = (request: Request) => request.url().endsWith('/graphql') && (request.postData() ?? '').includes('__schema');

// Issue 12 §1: also as operators run it, NODE_ENV=production with the explorer switched on
// (API tokens only: AUTH_JWT_SECRET is development-only).
describe.each([
  ['test', {}],
  ['production with EXPLORER_ENABLED=true', { NODE_ENV: 'production', AUTH_JWT_SECRET: '', EXPLORER_ENABLED: 'true' }],
])('the API explorer in headless Chromium, NODE_ENV=%s', (mode, env) => {
  let gw: TestGateway;
  let org: OrgFixture;

  beforeAll(async () => {
    gw = await startTestGateway(env);
    org = await createOrg(gw, `Explorer Org ${process.pid}`);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('runs a query and shows the docs with a pasted token, loading nothing from any host but the gateway and breaking no CSP rule', async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install chromium (.ci/run does this on CI).`);
    }
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const origin = new URL(gw.url).origin;

    // Everything the page asks for, and what was refused for leaving 127.0.0.1.
    const requested: string[] = [];
    const offHost: string[] = [];
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname !== '127.0.0.1') {
        offHost.push(url.href);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    context.on('request', (request) => requested.push(request.url()));

    const page = await context.newPage();
    page.on('websocket', (socket) => offHost.push(socket.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // CSP violations reach neither the network nor pageerror; the DOM event reports each one.
    // (Browser-side code as text: the tests compile without the DOM types.)
    await page.addInitScript({
      content: `window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));`,
    });

    await page.goto(`${origin}/explorer`);
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    await headersEditor.waitFor();
    expect(await headersEditor.innerText()).toContain('Bearer <paste an API token>');

    // Pasting the token must make GraphiQL introspect again, with the token.
    const introspected = page.waitForRequest((request) => isIntrospection(request) && request.headers().authorization === `Bearer ${org.owner.token}`);
    await headersEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${org.owner.token}` }, null, 2));
    const introspection: unknown = await (await introspected).response().then((response) => response?.json());
    expect(introspection).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });

    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    await queryEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`{ organization(id: "${org.organizationId}") { id name } }`);
    await page.locator('.graphiql-execute-button').click();

    await page.locator('.graphiql-response').getByText(`Explorer Org ${process.pid}`).waitFor();

    // The docs come from the introspection made with the token.
    await page.getByLabel('Show Documentation Explorer').click();
    await page.locator('.graphiql-doc-explorer').getByText('Root Types').waitFor();
    // A dialog inserts GraphiQL's only inline <style>, which the CSP allows by hash.
    await page.getByLabel('Open settings dialog').click();
    await page.getByRole('dialog').getByText('Settings').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.replace('.png', `-${mode.split(' ')[0]}.png`) });

    expect(offHost).toEqual([]);
    expect(requested.filter((url) => new URL(url).origin !== origin && !url.startsWith('data:'))).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
