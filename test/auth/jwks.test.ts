import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../support/harness.js';

// JWTs from an identity provider, verified against its JWKS with issuer and audience pinned.
const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'gatehouse';
let idp: http.Server;
let gw: TestGateway;
let privateKey: CryptoKey;

function sign(claims: { iss?: string; aud?: string; sub?: string }, key: CryptoKey | Uint8Array = privateKey, alg = 'RS256') {
  return new SignJWT({ email: 'idp.user@example.com', email_verified: true, name: 'IdP User' })
    .setProtectedHeader({ alg, kid: 'test-key' })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setSubject(claims.sub ?? 'idp-user-1')
    .setExpirationTime('5m')
    .sign(key);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  idp = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
  gw = await startTestGateway({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: jwksUrl, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE });
});
afterAll(async () => {
  await gw.close();
  idp.close();
});

const VIEWER = '{ viewer { user { email name } } }';

describe("JWTs verified against the identity provider's JWKS", () => {
  it('a token of the pinned issuer and audience signs the user in', async () => {
    const data = await expectAllowed<{ viewer: { user: { email: string } } }>(gw, await sign({}), VIEWER);
    expect(data.viewer.user.email).toBe('idp.user@example.com');
  });

  it('a token for another audience is UNAUTHENTICATED', async () => {
    await expectDenied(gw, await sign({ aud: 'another-service' }), VIEWER, {}, 'UNAUTHENTICATED');
  });

  it('a token of another issuer is UNAUTHENTICATED', async () => {
    await expectDenied(gw, await sign({ iss: 'https://evil.example.test' }), VIEWER, {}, 'UNAUTHENTICATED');
  });

  it('a token signed with a shared secret is UNAUTHENTICATED when a JWKS is configured', async () => {
    await expectDenied(gw, await sign({}, new TextEncoder().encode(TEST_JWT_SECRET), 'HS256'), VIEWER, {}, 'UNAUTHENTICATED');
  });
});
