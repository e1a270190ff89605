#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { openRuntime } from '../runtime.js';
import { CliError, demo, orgCreate, tokenCreate } from './commands.js';

const USAGE = `Usage: gatehouse <command>

  migrate                                   apply pending database migrations
  org create --name NAME --owner-email EMAIL
                                            create an organization; prints {"organizationId","ownerUserId","token"}
  token create --org ID (--user-email EMAIL | --service-account ID) [--name NAME] [--expires-in-days N]
                                            issue an API token; the secret is printed once
  demo                                      seed an example organization with a user per role and template

The database is DATABASE_URL (PostgreSQL) or the embedded PGlite under DATA_DIR (default ./data).`;

function required(value: string | undefined, flag: string): string {
  if (!value) throw new CliError(`${flag} is required.\n\n${USAGE}`);
  return value;
}

async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      org: { type: 'string' },
      'user-email': { type: 'string' },
      'service-account': { type: 'string' },
      'expires-in-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const known = ['migrate', 'org create', 'token create', 'demo'];
  if (!known.includes(command)) throw new CliError(`Unknown command "${command}".\n\n${USAGE}`);

  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const { database } = await openRuntime(config, logger, 'the gatehouse CLI');
  try {
    switch (command) {
      case 'migrate':
        return { migrated: await migrateToLatest(database.db) };
      case 'org create':
        return await orgCreate(database.db, required(values.name, '--name'), required(values['owner-email'], '--owner-email'));
      case 'token create': {
        const organizationId = Number(required(values.org, '--org'));
        if (!Number.isInteger(organizationId) || organizationId < 1) throw new CliError('--org must be an organization id (a whole number).');
        const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
        if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new CliError('--expires-in-days must be 1 to 3650.');
        return await tokenCreate(database.db, {
          organizationId,
          userEmail: values['user-email'],
          serviceAccountId: values['service-account'],
          name: values.name ?? 'created by gatehouse token create',
          expiresInDays: days,
        });
      }
      case 'demo':
        return await demo(database.db);
      default:
        throw new CliError(`Unknown command "${command}".`);
    }
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2))
  .then((result) => {
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliError ? 2 : 1);
  });
