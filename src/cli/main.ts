#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { openRuntime } from '../runtime.js';
import { CliError, demo, orgCreate, tokenCreate } from './commands.js';
import { documentsList, documentsRegister } from './documents.js';
import { adminGrant, adminRevoke, flagList, flagSet } from './flag-commands.js';
import { manifestsCommand } from './manifests-commands.js';
import { pruneTraces } from '../ingest/prune-traces.js';

const USAGE = `Usage: gatehouse <command>

  migrate                                   apply pending database migrations
  org create --name NAME --owner-email EMAIL
                                            create an organization; prints {"organizationId","ownerUserId","token"}
  token create --org ID (--user-email EMAIL | --service-account ID) [--name NAME] [--expires-in-days N]
               [--scope-automation ID]... [--scope-permission VIEW|RUN|TRACES|MANAGE_SETTINGS|HUMAN_IN_THE_LOOP]...
                                            issue an API token, scoped to automations and permissions when both
                                            scope options are given (each repeatable); the secret is printed once
  demo                                      seed an example organization with a user per role and template
  flag enable NAME [--org ID]               turn an instance feature flag on, globally or for one organization
  flag disable NAME [--org ID]              turn it off globally (organizations turned on one by one stay on)
                                            or for one organization
  flag list                                 every feature flag, its global state and its organizations
  admin grant --email EMAIL                 make an existing user an instance administrator (feature flags,
                                            every organization's namespace)
  admin revoke --email EMAIL                take instance administration away
  manifests                                 print the gateway's own Kubernetes objects as YAML (from the environment)
  manifests namespace --org ID              print one organization's Namespace, Role and RoleBinding (manual mode)
  documents register FILE... [--client NAME]
                                            register trusted documents: @graphql-codegen client-preset's
                                            persisted-documents.json, or .graphql/.gql files (one document each);
                                            all or nothing, checked against the gateway's schema
  documents list [--client NAME]            every registered document: hash, operation, client, date
  traces prune [--older-than-days N]        delete the traces of executions started more than N days ago
                                            (default TRACE_RETENTION_DAYS), in small batches; prints
                                            {"spans","sources","batches"}; progress goes to stderr

The manifests commands need no database. Otherwise the database is DATABASE_URL (PostgreSQL) or the embedded PGlite under DATA_DIR (default ./data).`;

function required(value: string | undefined, flag: string): string {
  if (!value) throw new CliError(`${flag} is required.\n\n${USAGE}`);
  return value;
}

function organizationIdOption(raw: string): number {
  const organizationId = Number(raw);
  if (!Number.isInteger(organizationId) || organizationId < 1) throw new CliError('--org must be an organization id (a whole number).');
  return organizationId;
}

// Each command with the number of operands it takes after its words (`flag enable NAME`).
const COMMANDS: ReadonlyArray<readonly [string, number | 'one or more']> = [
  ['migrate', 0],
  ['org create', 0],
  ['token create', 0],
  ['demo', 0],
  ['flag enable', 1],
  ['flag disable', 1],
  ['flag list', 0],
  ['admin grant', 0],
  ['admin revoke', 0],
  // Before `manifests`, which would otherwise take `namespace` as an operand.
  ['manifests namespace', 0],
  ['manifests', 0],
  ['documents register', 'one or more'],
  ['documents list', 0],
  ['traces prune', 0],
];

function parseCommand(positionals: string[]): { command: string; operands: string[] } {
  for (const [command, arity] of COMMANDS) {
    const words = command.split(' ').length;
    if (positionals.slice(0, words).join(' ') !== command) continue;
    const operands = positionals.slice(words);
    if (arity === 'one or more' ? operands.length === 0 : operands.length !== arity) {
      const expected = arity === 0 ? 'no operand' : arity === 'one or more' ? 'one or more operands' : `${arity} operand`;
      throw new CliError(`${command} takes ${expected}; got ${JSON.stringify(operands)}.\n\n${USAGE}`);
    }
    return { command, operands };
  }
  throw new CliError(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`);
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
      email: { type: 'string' },
      client: { type: 'string' },
      'older-than-days': { type: 'string' },
      'scope-automation': { type: 'string', multiple: true },
      'scope-permission': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0 || positionals.join(' ') === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const { command, operands } = parseCommand(positionals);
  const organizationId = values.org === undefined ? undefined : organizationIdOption(values.org);

  const config = loadConfig();
  if (command === 'manifests' || command === 'manifests namespace') {
    process.stdout.write(manifestsCommand(config, command, organizationId));
    return undefined;
  }
  // Checked before the database opens: a typo costs nothing.
  const olderThanDays = values['older-than-days'] === undefined ? config.ingest.retentionDays : Number(values['older-than-days']);
  if (command === 'traces prune' && (!Number.isInteger(olderThanDays) || olderThanDays < 1 || olderThanDays > 36_500)) {
    throw new CliError('--older-than-days must be a whole number from 1 to 36500 (with TRACE_RETENTION_DAYS=0, which keeps traces, pass it explicitly).');
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const { database } = await openRuntime(config, logger, 'the gatehouse CLI');
  try {
    switch (command) {
      case 'migrate':
        return { migrated: await migrateToLatest(database.db) };
      case 'org create':
        return await orgCreate(database.db, required(values.name, '--name'), required(values['owner-email'], '--owner-email'));
      case 'token create': {
        if (organizationId === undefined) throw new CliError(`--org is required.\n\n${USAGE}`);
        const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
        if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new CliError('--expires-in-days must be 1 to 3650.');
        return await tokenCreate(database.db, {
          organizationId,
          userEmail: values['user-email'],
          serviceAccountId: values['service-account'],
          name: values.name ?? 'created by gatehouse token create',
          expiresInDays: days,
          scopeAutomationIds: values['scope-automation'],
          scopePermissions: values['scope-permission'],
        });
      }
      case 'demo':
        return await demo(database.db);
      case 'flag enable':
      case 'flag disable':
        return await flagSet(database.db, operands[0] ?? '', command === 'flag enable', organizationId);
      case 'flag list':
        return await flagList(database.db);
      case 'admin grant':
        return await adminGrant(database.db, required(values.email, '--email'));
      case 'admin revoke':
        return await adminRevoke(database.db, required(values.email, '--email'));
      // Text for people (and CI logs), like manifests: not JSON.
      case 'documents register':
        process.stdout.write(await documentsRegister(database.db, operands, values.client));
        return undefined;
      case 'documents list':
        process.stdout.write(await documentsList(database.db, values.client));
        return undefined;
      case 'traces prune': {
        return await pruneTraces(database.db, {
          retentionDays: olderThanDays,
          onBatch: (done) => process.stderr.write(`pruned ${done.spans} spans, ${done.sources} sources in ${done.batches} batches\n`),
        });
      }
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
