import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';

export interface VerifiedIdentity {
  /** `issuer|subject`: unique across identity providers. */
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

export type JwtVerifier = (token: string) => Promise<VerifiedIdentity>;

function identity(payload: JWTPayload, fallbackIssuer: string): VerifiedIdentity {
  if (!payload.sub) throw new Error('The JWT has no "sub" claim.');
  const email = typeof payload.email === 'string' ? payload.email : undefined;
  const name = typeof payload.name === 'string' ? payload.name : undefined;
  return { subject: `${payload.iss ?? fallbackIssuer}|${payload.sub}`, email, emailVerified: payload.email_verified === true, name };
}

/**
 * JWTs are verified against the identity provider's JWKS (issuer and audience pinned), or, for
 * development only, a shared HS256 secret. Without either, JWTs are refused.
 */
export function createJwtVerifier(auth: Config['auth']): JwtVerifier | undefined {
  if (auth.jwksUrl) {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(auth.jwksUrl));
    const options = { issuer: auth.jwtIssuer, audience: auth.jwtAudience };
    return async (token) => identity((await jwtVerify(token, keys, options)).payload, auth.jwtIssuer ?? 'jwks');
  }
  if (auth.jwtSecret) {
    const secret = new TextEncoder().encode(auth.jwtSecret);
    const options = {
      algorithms: ['HS256'],
      ...(auth.jwtIssuer ? { issuer: auth.jwtIssuer } : {}),
      ...(auth.jwtAudience ? { audience: auth.jwtAudience } : {}),
    };
    return async (token) => identity((await jwtVerify(token, secret, options)).payload, 'dev');
  }
  return undefined;
}
