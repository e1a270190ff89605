import { destination } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateDatabase } from '../db/migrate-database.js';
import { pruneTraces } from '../ingest/prune-traces.js';
import { createLogger } from '../logger.js';
import { openRuntime } from '../runtime.js';
import { organizationIdOption, required, type CliValues } from './arguments.js';
import { CliError } from './cli-error.js';
import { demo, orgCreate, tokenCreate } from './commands.js';
import { devToken } from './dev-token.js';
import { auditVerify } from './audit-commands.js';
import { adminGrant, adminRevoke, flagList, flagSet } from './flag-commands.js';
import { commandUsage, type CommandSpec } from './usage.js';

// documents.js (the GraphQL schema, @graphql-tools), manifests-commands.js and
// namespaces-commands.js (@kubernetes/client-node, about 1,900 modules) are imported by the
// commands that use them: loaded up front, they made every other command (`org create`,
// `flag list`) take 2 s instead of 1.3 s.

const CLI_HOLDER = 'the gatehouse CLI';

/**
 * `gatehouse migrate`: the names of the migrations this run applied. Not through openRuntime,
 * which migrates as it opens and would leave nothing for this command to report.
 */
async function migrate(config: Config): Promise<string[]> {
  const database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax, holder: CLI_HOLDER });
  try {
    return await migrateDatabase(database, config.migrationDatabaseUrl);
  } finally {
    await database.close();
  }
}

/**
 * Runs one command, its operands already checked. Returns what goes to stdout as one line of JSON,
 * or undefined when the command wrote its own text (YAML, tables).
 */
export async function runCommand(spec: CommandSpec, operands: string[], values: CliValues): Promise<unknown> {
  const command = spec.command;
  // Before the configuration is loaded: it refuses anything but NODE_ENV=development with its own message.
  if (command === 'dev-token') return devToken(process.env, required(values.email, '--email', spec), values.name);
  const organizationId = organizationIdOption(values.org);

  const config = loadConfig();
  if (command === 'manifests' || command === 'manifests namespace') {
    const { manifestsCommand } = await import('./manifests-commands.js');
    process.stdout.write(manifestsCommand(config, command, organizationId));
    return undefined;
  }
  // Checked before the database opens: a typo costs nothing.
  const olderThanDays = values['older-than-days'] === undefined ? config.ingest.retentionDays : Number(values['older-than-days']);
  if (command === 'traces prune' && (!Number.isInteger(olderThanDays) || olderThanDays < 1 || olderThanDays > 36_500)) {
    throw new CliError('--older-than-days must be a whole number from 1 to 36500 (with TRACE_RETENTION_DAYS=0, which keeps traces, pass it explicitly).');
  }
  if (command === 'migrate') return { migrated: await migrate(config) };
  // stdout is the command's result alone (`… | jq -r .token`); logs go to stderr, written at once
  // so that none is lost when an error ends the process.
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', destination({ dest: 2, sync: true }));
  const { database, secrets } = await openRuntime(config, logger, CLI_HOLDER);
  try {
    switch (command) {
      case 'org create':
        return await orgCreate(database.db, required(values.name, '--name', spec), required(values['owner-email'], '--owner-email', spec));
      case 'token create': {
        if (organizationId === undefined) throw new CliError(`--org is required.\n\n${commandUsage(spec)}`);
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
        return await adminGrant(database.db, required(values.email, '--email', spec));
      case 'admin revoke':
        return await adminRevoke(database.db, required(values.email, '--email', spec));
      // Text for people (and CI logs), like manifests: not JSON.
      case 'documents register': {
        const { documentsRegister } = await import('./documents.js');
        process.stdout.write(await documentsRegister(database.db, operands, values.client));
        return undefined;
      }
      case 'documents list': {
        const { documentsList } = await import('./documents.js');
        process.stdout.write(await documentsList(database.db, values.client));
        return undefined;
      }
      // YAML, as `manifests`; but the organization namespaces come from the database.
      case 'manifests support-bundle': {
        const { supportBundleYaml } = await import('./namespaces-commands.js');
        process.stdout.write(await supportBundleYaml(database.db, config));
        return undefined;
      }
      case 'namespaces migrate': {
        if (organizationId === undefined) throw new CliError(`--org is required.\n\n${commandUsage(spec)}`);
        const { namespacesMigrate } = await import('./namespaces-commands.js');
        return await namespacesMigrate(database.db, secrets, config, logger, organizationId);
      }
      case 'audit verify':
        return await auditVerify(database.db, organizationId);
      case 'traces prune':
        return await pruneTraces(database.db, {
          retentionDays: olderThanDays,
          onBatch: (done) => process.stderr.write(`pruned ${done.spans} spans, ${done.sources} sources in ${done.batches} batches\n`),
        });
      default:
        throw new CliError(`Unknown command "${command}".`);
    }
  } finally {
    await database.close();
  }
}
