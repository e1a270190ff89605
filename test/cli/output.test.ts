import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { runGatehouse } from '../support/cli.js';
import { urlFor } from '../support/global-setup.js';
import { createTestDatabase } from '../support/test-database.js';

// What the built bin writes where: stdout holds the command's result alone, so that
// `gatehouse org create … | jq -r .token` works; logs and progress go to stderr.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-output-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function gatehouse(env: Record<string, string>, ...args: string[]) {
  return runGatehouse(args, env);
}

/** stdout as exactly one JSON value on one line; fails with stderr when the command did not succeed. */
function onlyJson(result: ReturnType<typeof gatehouse>): unknown {
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.endsWith('\n')).toBe(true);
  expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
  // JSON.parse of the whole stream refuses anything before or after the one value.
  return JSON.parse(result.stdout);
}

const freshPglite = (name: string) => ({ DATABASE_URL: '', DATA_DIR: path.join(tmp, name), NODE_ENV: 'production' });
const allMigrations = Object.keys(migrations);
// Migrating a fresh embedded database takes seconds, more on a busy machine.
const FRESH_DATABASE_MS = 120_000;

describe('logs go to stderr', () => {
  // One fresh PGlite directory (migrating one takes seconds): the first command migrates it.
  it(
    'org create on a fresh PGlite, LOG_LEVEL=info: every migration is logged on stderr, the result alone on stdout; migrate then prints []',
    () => {
      const env = { ...freshPglite('info'), LOG_LEVEL: 'info' };
      const result = gatehouse(env, 'org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test');
      expect(onlyJson(result)).toMatchObject({ organizationId: 1, token: expect.stringMatching(/^gth_/) });
      const logged = result.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; level: number; migrations?: string[] });
      expect(logged).toContainEqual(expect.objectContaining({ msg: 'migrations applied', migrations: allMigrations }));
      expect(onlyJson(gatehouse(env, 'migrate'))).toEqual({ migrated: [] });
    },
    FRESH_DATABASE_MS,
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'org create that warns (PostgreSQL without GATEHOUSE_SECRET_KEY): the warning is on stderr, the result alone on stdout',
    async () => {
      const database = await createTestDatabase();
      try {
        const env = {
          DATABASE_URL: database.url ?? '',
          DATA_DIR: path.join(tmp, 'warn'),
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          GATEHOUSE_SECRET_KEY: '',
        };
        const result = gatehouse(env, 'org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test');
        expect(onlyJson(result)).toMatchObject({ token: expect.stringMatching(/^gth_/) });
        expect(result.stderr).toContain('GATEHOUSE_SECRET_KEY is not set');
      } finally {
        await database.close();
      }
    },
    FRESH_DATABASE_MS,
  );
});

describe('gatehouse migrate', () => {
  // On PGlite: the first test above (the same migrations, logged by the command that applied them).
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on a fresh PostgreSQL database prints every migration it applied, then []',
    async () => {
      const admin = process.env.TEST_DATABASE_URL ?? '';
      // Empty, not a clone of the suite's migrated template.
      const name = `gatehouse_migrate_${crypto.randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`create database ${name}`);
      try {
        const env = { DATABASE_URL: urlFor(admin, name), NODE_ENV: 'development', DATA_DIR: path.join(tmp, 'pg-migrate') };
        expect(onlyJson(gatehouse(env, 'migrate'))).toEqual({ migrated: allMigrations });
        expect(onlyJson(gatehouse(env, 'migrate'))).toEqual({ migrated: [] });
      } finally {
        await client.query(`drop database if exists ${name} with (force)`);
        await client.end();
      }
    },
    FRESH_DATABASE_MS,
  );
});
