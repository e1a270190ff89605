import path from 'node:path';

/**
 * Every setting Gatehouse reads, parsed once at start. The README's configuration table lists the
 * same names; a wrong value stops the process with a message that names the variable.
 */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** PostgreSQL through pg when set; embedded PGlite under `dataDir` otherwise. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  /** 32 bytes for AES-256-GCM, base64 or hex. Unset: a key generated once under `dataDir`. */
  secretKey: string | undefined;
  auth: {
    jwksUrl: string | undefined;
    jwtIssuer: string | undefined;
    jwtAudience: string | undefined;
    /** Development only: HS256 shared secret. */
    jwtSecret: string | undefined;
  };
  maxPageSize: number;
  logLevel: string;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'production' && nodeEnvRaw !== 'test') {
    throw new ConfigError(`NODE_ENV must be development, production or test; got ${JSON.stringify(nodeEnvRaw)}.`);
  }
  const config: Config = {
    nodeEnv: nodeEnvRaw,
    host: optional(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 4000, 0, 65535),
    databaseUrl: optional(env, 'DATABASE_URL'),
    databasePoolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
    dataDir: path.resolve(optional(env, 'DATA_DIR') ?? './data'),
    secretKey: optional(env, 'GATEHOUSE_SECRET_KEY'),
    auth: {
      jwksUrl: optional(env, 'AUTH_JWKS_URL'),
      jwtIssuer: optional(env, 'AUTH_JWT_ISSUER'),
      jwtAudience: optional(env, 'AUTH_JWT_AUDIENCE'),
      jwtSecret: optional(env, 'AUTH_JWT_SECRET'),
    },
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 100, 1, 10_000),
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
  if (config.auth.jwksUrl && config.auth.jwtSecret) {
    throw new ConfigError('Set either AUTH_JWKS_URL or AUTH_JWT_SECRET, not both.');
  }
  if (config.nodeEnv === 'production' && config.auth.jwtSecret) {
    throw new ConfigError('AUTH_JWT_SECRET is for development only; in production set AUTH_JWKS_URL (with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE).');
  }
  if (config.auth.jwksUrl && (!config.auth.jwtIssuer || !config.auth.jwtAudience)) {
    throw new ConfigError('AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE, so that tokens minted for another service are refused.');
  }
  if (config.nodeEnv === 'production' && config.databaseUrl && !config.secretKey) {
    throw new ConfigError('GATEHOUSE_SECRET_KEY is required in production with DATABASE_URL: every replica must encrypt secrets with the same key.');
  }
  return config;
}
