import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const ISSUER = 'https://issuer.bench.invalid/';
const AUDIENCE = 'gatehouse-bench';

/**
 * An identity provider for the benchmarks' JWT sessions: an RS256 key whose JWKS this process
 * serves on loopback. The gateway verifies the tokens as in production (AUTH_JWKS_URL, issuer and
 * audience pinned): the development shared secret is refused with NODE_ENV=production, which the
 * benchmarks run with. `env` is the gateway's configuration for it.
 */
export async function startJwtIssuer(): Promise<{
  env: Record<string, string>;
  /** A session for `email`; `verified: false` as a provider that does not vouch for the address, `subject` another sign-in identity. */
  sign(email: string, claims?: { verified?: boolean; subject?: string }): Promise<string>;
  close(): Promise<void>;
}> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = crypto.randomUUID();
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the JWKS server has no TCP address');
  const { port } = address;
  return {
    env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE },
    sign: (email, claims = {}) =>
      new SignJWT({ email, email_verified: claims.verified ?? true, name: email.split('@')[0] })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setSubject(claims.subject ?? email)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(privateKey),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
