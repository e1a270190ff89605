import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/** The file under DATA_DIR that holds the development JWT secret. */
export const DEV_JWT_SECRET_FILE = 'dev-jwt.secret';

/**
 * Development with no JWT configuration at all (neither AUTH_JWKS_URL nor AUTH_JWT_SECRET): the
 * HS256 secret is one generated once under DATA_DIR (mode 0600), which the server and
 * `gatehouse dev-token` both read, so that a newcomer signs in as a person with nothing to
 * configure. Any other NODE_ENV, or any JWT setting, leaves the configuration as it is: production
 * never accepts a shared secret (src/config.ts).
 */
export function withDevJwtSecret(config: Config): Config {
  if (config.nodeEnv !== 'development' || config.auth.jwksUrl || config.auth.jwtSecret) return config;
  const file = path.join(config.dataDir, DEV_JWT_SECRET_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  return { ...config, auth: { ...config.auth, jwtSecret: fs.readFileSync(file, 'utf8').trim() } };
}
