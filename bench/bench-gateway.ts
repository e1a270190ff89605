import crypto from 'node:crypto';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import type { Db } from '../src/db/database.js';
import { Gateway } from '../src/http/gateway.js';

/**
 * The full gateway of the benchmarks on loopback: production settings, no cluster, the rate limits
 * counted but never refusing (their cost is part of the gateway's; what is measured is the rest).
 */
export async function startBenchGateway(
  db: Db,
  env: Record<string, string> = {},
): Promise<{ gateway: Gateway; config: Config; url: string; close(): Promise<void> }> {
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', RATE_LIMIT_PER_TOKEN: '10000000', RATE_LIMIT_PER_ADDRESS: '10000000', ...env });
  const gateway = new Gateway({ config, db, secrets: new SecretBox(crypto.randomBytes(32)), logger: pino({ level: 'silent' }), cluster: null });
  await gateway.start();
  const server = await gateway.listen(0, '127.0.0.1');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the gateway has no TCP address');
  return {
    gateway,
    config,
    url: `http://127.0.0.1:${address.port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.stop();
    },
  };
}
