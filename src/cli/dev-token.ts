import { SignJWT } from 'jose';
import { withDevJwtSecret } from '../auth/dev-jwt-secret.js';
import { loadConfig } from '../config.js';
import { CliError } from './commands.js';

/** Long enough for a working day, short enough that a pasted token does not live on. */
const LIFETIME_SECONDS = 12 * 60 * 60;

export interface DevToken {
  token: string;
  email: string;
  expiresAt: string;
}

/**
 * `gatehouse dev-token --email E`: a JWT session for a person, signed with the development-only
 * AUTH_JWT_SECRET, or without it with the secret the server generated under DATA_DIR
 * (src/auth/dev-jwt-secret.ts; README "Authentication"), so that a newcomer can create organizations and
 * accept invitations without an identity provider. It carries what the gateway's authenticator
 * reads from an identity provider's token: `sub`, `email`, `email_verified` and `name`.
 *
 * Never in production: NODE_ENV must be development, and the gateway itself refuses
 * AUTH_JWT_SECRET in production (src/config.ts), so no token this signs is accepted there.
 */
export async function devToken(env: NodeJS.ProcessEnv, email: string, name: string | undefined): Promise<DevToken> {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv !== 'development') {
    throw new CliError(
      `dev-token works only with NODE_ENV=development (here NODE_ENV=${nodeEnv}). Elsewhere people sign in through the identity provider (AUTH_JWKS_URL); for API access, use \`gatehouse token create\`.`,
    );
  }
  const { auth } = withDevJwtSecret(loadConfig(env));
  if (auth.jwksUrl) {
    throw new CliError(
      'The gateway verifies JWTs against AUTH_JWKS_URL, so it would refuse a dev-token: sign in through that identity provider, or unset AUTH_JWKS_URL and set AUTH_JWT_SECRET for the server and this command.',
    );
  }
  // withDevJwtSecret gives development a secret whenever AUTH_JWKS_URL is unset.
  if (!auth.jwtSecret) throw new CliError('No JWT secret: set AUTH_JWT_SECRET for the server and this command, or unset it for both.');
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new CliError(`--email must be an email address; got ${JSON.stringify(email)}.`);
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ email, email_verified: true, name: name ?? email.split('@')[0] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    // One subject per address, whatever its case: every dev-token for a person is the same
    // sign-in identity, which the gateway links to the user with that verified email.
    .setSubject(email.toLowerCase())
    .setIssuedAt(now)
    .setExpirationTime(now + LIFETIME_SECONDS);
  if (auth.jwtIssuer) jwt = jwt.setIssuer(auth.jwtIssuer);
  if (auth.jwtAudience) jwt = jwt.setAudience(auth.jwtAudience);
  const token = await jwt.sign(new TextEncoder().encode(auth.jwtSecret));
  return { token, email, expiresAt: new Date((now + LIFETIME_SECONDS) * 1000).toISOString() };
}
