import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../paths.js';

/** One `gatehouse` command: its words, how many operands follow them, and its help. */
export interface CommandSpec {
  command: string;
  operands: number | 'one or more';
  /** What follows `gatehouse` on the usage line. */
  synopsis: string;
  /** One or more lines; the first is the summary of `gatehouse --help`. */
  help: string;
  /** Whether it opens the database (manifests, manifests namespace and dev-token need none). */
  database: boolean;
}

// Order matters twice: it is the order of `gatehouse --help`, and a longer command comes before a
// shorter one it starts with (`manifests namespace` before `manifests`, which would otherwise take
// `namespace` as an operand).
export const COMMANDS: readonly CommandSpec[] = [
  {
    command: 'migrate',
    operands: 0,
    synopsis: 'migrate',
    database: true,
    help: 'apply pending database migrations; prints {"migrated":[names]}, [] when\nnone was pending',
  },
  {
    command: 'org create',
    operands: 0,
    synopsis: 'org create --name NAME --owner-email EMAIL',
    database: true,
    help: 'create an organization and its Owner (a new user unless one has the email);\nprints {"organizationId","ownerUserId","token"}, the Owner\'s API token',
  },
  {
    command: 'token create',
    operands: 0,
    synopsis:
      'token create --org ID (--user-email EMAIL | --service-account ID) [--name NAME] [--expires-in-days N]\n             [--scope-automation ID]... [--scope-permission VIEW|RUN|TRACES|MANAGE_SETTINGS|HUMAN_IN_THE_LOOP]...',
    database: true,
    help: 'issue an API token, scoped to automations and permissions when both scope\noptions are given (each repeatable); the secret is printed once',
  },
  {
    command: 'dev-token',
    operands: 0,
    synopsis: 'dev-token --email EMAIL [--name NAME]',
    database: false,
    help:
      'development only (NODE_ENV=development): sign in as a person without an\n' +
      'identity provider; prints {"token","email","expiresAt"}, a JWT signed with\n' +
      'AUTH_JWT_SECRET that the gateway accepts as that user (email verified, valid\n' +
      '12 hours); the server must run with the same AUTH_JWT_SECRET',
  },
  {
    command: 'demo',
    operands: 0,
    synopsis: 'demo',
    database: true,
    help: 'seed an example organization with a user per predefined role and\ntemplate; prints their tokens',
  },
  {
    command: 'flag enable',
    operands: 1,
    synopsis: 'flag enable NAME [--org ID]',
    database: true,
    help: 'turn an instance feature flag on, globally or for one organization',
  },
  {
    command: 'flag disable',
    operands: 1,
    synopsis: 'flag disable NAME [--org ID]',
    database: true,
    help: 'turn it off globally (organizations turned on one by one stay on) or\nfor one organization',
  },
  { command: 'flag list', operands: 0, synopsis: 'flag list', database: true, help: 'every feature flag, its global state and its organizations' },
  {
    command: 'admin grant',
    operands: 0,
    synopsis: 'admin grant --email EMAIL',
    database: true,
    help: "make an existing user an instance administrator (feature flags, every\norganization's namespace)",
  },
  { command: 'admin revoke', operands: 0, synopsis: 'admin revoke --email EMAIL', database: true, help: 'take instance administration away' },
  {
    command: 'manifests namespace',
    operands: 0,
    synopsis: 'manifests namespace --org ID',
    database: false,
    help: "print one organization's Namespace, Role and RoleBinding (manual mode)",
  },
  {
    command: 'manifests support-bundle',
    operands: 0,
    synopsis: 'manifests support-bundle',
    database: true,
    help:
      'print a troubleshoot.sh SupportBundle for `kubectl support-bundle`: logs of\n' +
      'the gateway and of the automations in K8S_NAMESPACE and in every organization\n' +
      'namespace (from the database), cluster resources of those namespaces; no\n' +
      'Secret content',
  },
  {
    command: 'manifests',
    operands: 0,
    synopsis: 'manifests',
    database: false,
    help: "print the gateway's own Kubernetes objects as YAML (from the environment)",
  },
  {
    command: 'namespaces migrate',
    operands: 0,
    synopsis: 'namespaces migrate --org ID',
    database: true,
    help:
      "move the organization's automations into the namespace it deploys to now\n" +
      "(after k8s_namespace_isolation was turned on or off): each one's latest\n" +
      'deployed version is redeployed there, and its old objects are removed once the\n' +
      'new ones are ready; progress per automation on stderr, a JSON summary on\n' +
      'stdout; exit 1 if one failed. Needs the cluster (KUBECONFIG or in-cluster)',
  },
  {
    command: 'documents register',
    operands: 'one or more',
    synopsis: 'documents register FILE... [--client NAME]',
    database: true,
    help:
      "register trusted documents: @graphql-codegen client-preset's\n" +
      'persisted-documents.json, or .graphql/.gql files (one document each); all or\n' +
      "nothing, checked against the gateway's schema",
  },
  {
    command: 'documents list',
    operands: 0,
    synopsis: 'documents list [--client NAME]',
    database: true,
    help: 'every registered document: hash, operation, client, date',
  },
  {
    command: 'traces prune',
    operands: 0,
    synopsis: 'traces prune [--older-than-days N]',
    database: true,
    help:
      'delete the traces of executions started more than N days ago (default\n' +
      'TRACE_RETENTION_DAYS), in small batches; prints {"spans","sources","batches"};\n' +
      'progress goes to stderr',
  },
  {
    command: 'audit verify',
    operands: 0,
    synopsis: 'audit verify [--org ID]',
    database: true,
    help:
      "recompute the audit log's hash chains (one per organization), or one\n" +
      'organization\'s; prints {"verified","entries","chains"} with each chain\'s\n' +
      'entries and last hash; exit 1 naming the first entry changed or removed',
  },
];

const DATABASE_NOTE = 'The database is DATABASE_URL (PostgreSQL) or the embedded PGlite under DATA_DIR (default ./data).';
const OUTPUT_NOTE = 'Results go to stdout, logs and errors to stderr.';

const WIDTH = 44;
const indent = (text: string, by: number) => text.replaceAll('\n', `\n${' '.repeat(by)}`);

/** `gatehouse --help`: every command with its summary. */
export const USAGE = [
  'Usage: gatehouse <command> [options]',
  "       gatehouse <command> --help    that command's usage",
  '       gatehouse --version',
  '',
  ...COMMANDS.map(({ synopsis, help }) => {
    const lines = synopsis.split('\n').map((line) => `  ${line}`);
    const last = lines.pop() ?? '';
    // A synopsis too long for the column puts the help on the next line, as man pages do.
    const tail = last.length < WIDTH ? last.padEnd(WIDTH) : `${last}\n${' '.repeat(WIDTH)}`;
    return [...lines, tail + indent(help, WIDTH)].join('\n');
  }),
  '',
  'manifests, manifests namespace and dev-token need no database. Otherwise the database is DATABASE_URL',
  '(PostgreSQL) or the embedded PGlite under DATA_DIR (default ./data).',
  OUTPUT_NOTE,
].join('\n');

/** `gatehouse <command> --help`: its usage line, what it does, and where it reads from. */
export function commandUsage(spec: CommandSpec): string {
  const help = spec.help.replaceAll('\n', ' ');
  return [
    `Usage: gatehouse ${indent(spec.synopsis, 2)}`,
    '',
    `${help.charAt(0).toUpperCase()}${help.slice(1)}.`,
    '',
    `${spec.database ? DATABASE_NOTE : 'Opens no database.'} ${OUTPUT_NOTE}`,
  ].join('\n');
}

/** The package's version, from the package.json above src/ or dist/src/. */
export function packageVersion(): string {
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined;
  if (typeof version !== 'string') throw new Error(`${path.join(ROOT_DIR, 'package.json')} has no "version".`);
  return version;
}
