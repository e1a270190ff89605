// Issue 15, replayed from outside: the red team's findings sent to a production server (the built
// dist/, NODE_ENV=production, JWT sessions from an RS256 identity provider, the gateway on a
// database role of its own and the migrations on the owner's, /metrics on its own port) on
// PostgreSQL. Prints one line per finding: what was sent, what came back, PASS or FAIL; exits 1 on
// a FAIL. The memory and latency findings have benchmarks of their own against the same kind of
// server: bench/response-memory.ts (§1), bench/upload-memory.ts (§2), npm run bench:schema-cache (§3).
//
//   npm run build --silent
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/red-team-replay.ts
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ROOT_DIR } from '../src/paths.js';
import { startBuiltServer } from './built-server.js';
import { startJwtIssuer } from './jwt-issuer.js';

const admin = process.env.BENCH_DATABASE_URL;
if (!admin) throw new Error('BENCH_DATABASE_URL (an admin connection to PostgreSQL) is required: the findings are replayed on PostgreSQL.');
const suffix = crypto.randomBytes(4).toString('hex');
const dbName = `gatehouse_replay_${suffix}`;
const appRole = `gatehouse_replay_app_${suffix}`;
const password = crypto.randomBytes(12).toString('hex');
const urlOf = (user: string, pass: string | undefined) => {
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  url.username = user;
  url.password = pass ?? '';
  return url.toString();
};
const ownerUrl = urlOf(new URL(admin).username || 'postgres', new URL(admin).password || undefined);
const appUrl = urlOf(appRole, password);

async function query(url: string, statement: string, parameters: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(statement, parameters);
  } finally {
    await client.end();
  }
}

interface Finding {
  finding: string;
  expected: string;
  observed: string;
  pass: boolean;
}
const findings: Finding[] = [];
const record = (finding: string, expected: string, observed: string, pass: boolean) => findings.push({ finding, expected, observed, pass });

async function main(): Promise<void> {
  await query(admin ?? '', `create database ${dbName}`);
  await query(admin ?? '', `create role ${appRole} login password '${password}'`);
  const issuer = await startJwtIssuer();
  const metricsPort = 20_000 + crypto.randomInt(20_000);
  const env = {
    ...process.env,
    ...issuer.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: String(metricsPort),
    DATABASE_URL: appUrl,
    MIGRATION_DATABASE_URL: ownerUrl,
    GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
  };
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT_DIR, 'dist/src/cli/main.js'), ...args], { env });
  await cli('migrate');
  const ownerEmail = `owner-${suffix}@replay.example`;
  const { organizationId, token } = JSON.parse((await cli('org', 'create', '--name', 'Replay', '--owner-email', ownerEmail)).stdout) as {
    organizationId: number;
    token: string;
  };
  const server = await startBuiltServer(ROOT_DIR, env);
  const errorLines: string[] = [];
  server.process.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(50|60)/.test(line)) errorLines.push(line);
  });
  const url = `http://127.0.0.1:${server.port}`;
  const gql = async (bearer: string, body: unknown) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
    };
    return {
      status: response.status,
      code: answer.errors?.[0]?.extensions?.code,
      field: answer.errors?.[0]?.extensions?.field,
      data: answer.data,
      message: answer.errors?.[0]?.message ?? '',
    };
  };
  const org = String(organizationId);

  try {
    // §4 Invitations: an unverified email took over an invitation meant for its real owner.
    const victim = `victim-${suffix}@replay.example`;
    const invited = await gql(token, {
      query: 'mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }',
      variables: { o: org, e: victim },
    });
    const invitationId = (invited.data?.inviteMember as { id: string } | undefined)?.id ?? '';
    const squatter = await issuer.sign(victim, { verified: false, subject: `squatter-${suffix}` });
    const seen = await gql(squatter, { query: '{ viewer { emailVerified pendingInvitations { id } } }' });
    const viewer = seen.data?.viewer as { emailVerified: boolean; pendingInvitations: unknown[] } | undefined;
    const accept = 'mutation($id: ID!) { acceptInvitation(id: $id) { organization { id } } }';
    const taken = await gql(squatter, { query: accept, variables: { id: invitationId } });
    record(
      '§4 unverified email lists the invitation',
      'no invitation, emailVerified false',
      JSON.stringify(viewer),
      viewer?.emailVerified === false && viewer.pendingInvitations.length === 0,
    );
    record('§4 unverified email accepts the invitation', 'FORBIDDEN', `${taken.status} ${taken.code}`, taken.code === 'FORBIDDEN');
    const real = await gql(await issuer.sign(victim, { subject: `victim-${suffix}` }), { query: accept, variables: { id: invitationId } });
    record(
      '§4 the real owner, verified, is locked out',
      'accepts',
      `${real.status} ${real.code ?? 'ok'}`,
      real.code === undefined && real.data?.acceptInvitation !== null,
    );

    // §5 The audit log: the gateway's role disabled the trigger and deleted every row.
    for (const [what, statement] of [
      ['disable the append-only trigger', 'alter table audit_log disable trigger user'],
      ['delete entries', 'delete from audit_log'],
      ['change an entry', `update audit_log set action = 'nothing' where true`],
      ['truncate the log', 'truncate audit_log'],
    ] as const) {
      const outcome = await query(appUrl, statement).then(
        () => 'done',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      record(`§5 the gateway's role can ${what}`, 'refused', outcome, outcome !== 'done');
    }
    const [entry] = (await query(ownerUrl, 'select id from audit_log where organization_id = $1 order by chain_seq limit 1', [organizationId])).rows as Array<{
      id: string;
    }>;
    await query(ownerUrl, 'alter table audit_log disable trigger user');
    await query(ownerUrl, `update audit_log set action = action || '!' where id = $1`, [entry?.id]);
    await query(ownerUrl, 'alter table audit_log enable trigger user');
    const verified = await cli('audit', 'verify', '--org', org).then(
      () => 'exit 0',
      (error: { code?: number; stderr?: string }) => `exit ${error.code}: ${error.stderr?.split('\n')[0]}`,
    );
    record(
      '§5 an entry changed by a superuser goes unnoticed',
      'audit verify exits 1 naming it',
      verified,
      verified.startsWith('exit 1') && verified.includes(entry?.id ?? '?'),
    );

    // §6 Errors: NUL, lone surrogates and impossible cursors were INTERNAL_SERVER_ERROR.
    const createRole = 'mutation($o: ID!, $name: String!) { createRole(organizationId: $o, input: { name: $name }) { id } }';
    const yearPast9999 = Buffer.from(`+010000-01-01T00:00:00.000Z|${crypto.randomUUID()}`).toString('base64url');
    const negative = Buffer.from(`-000001-01-01T00:00:00.000Z|${crypto.randomUUID()}`).toString('base64url');
    for (const [what, body] of [
      ['NUL in a string variable', { query: createRole, variables: { o: org, name: 'a\u0000b' } }],
      ['a lone surrogate in a variable', { query: createRole, variables: { o: org, name: 'a\ud800b' } }],
      ['NUL in an inline argument', { query: `mutation { createRole(organizationId: "${org}", input: { name: "a\\u0000b" }) { id } }` }],
      [
        'a cursor past year 9999',
        { query: 'query($o: ID!, $a: String) { organization(id: $o) { automations(after: $a) { totalCount } } }', variables: { o: org, a: yearPast9999 } },
      ],
      [
        'a cursor before year 0',
        { query: 'query($o: ID!, $a: String) { organization(id: $o) { members(after: $a) { totalCount } } }', variables: { o: org, a: negative } },
      ],
    ] as const) {
      const answer = await gql(token, body);
      record(
        `§6 ${what}`,
        '400 BAD_USER_INPUT naming the argument',
        `${answer.status} ${answer.code} ${answer.field ?? ''}`,
        answer.status === 400 && answer.code === 'BAD_USER_INPUT',
      );
    }
    const viewerQuery = '{ viewer { user { id } } }';
    const apq = await gql(token, {
      query: viewerQuery,
      extensions: { persistedQuery: { version: 1, sha256Hash: crypto.createHash('sha256').update('other').digest('hex') } },
    });
    record('§6 an APQ hash mismatch', '400 BAD_REQUEST', `${apq.status} ${apq.code}`, apq.status === 400 && apq.code === 'BAD_REQUEST');
    const costly = await gql(token, {
      query: `query($o: ID!) { organization(id: $o) { ${Array.from({ length: 12 }, (_, i) => `a${i}: automations(first: 100) { edges { node { executions(first: 100) { edges { node { id inputs } } } } } }`).join(' ')} } }`,
      variables: { o: org },
    });
    record('§6 a cost refusal', '400 QUERY_TOO_COMPLEX', `${costly.status} ${costly.code}`, costly.status === 400 && costly.code === 'QUERY_TOO_COMPLEX');

    // §3 The permission-set space one organization can add to.
    let rolesMade = 0;
    let refusal = '';
    for (let i = 0; i < 60 && !refusal; i++) {
      const made = await gql(token, { query: createRole, variables: { o: org, name: `rotating-${i}` } });
      if (made.code) refusal = `${made.code}: ${made.message}`;
      else rolesMade++;
    }
    record(
      '§3 one Owner creates 300 permission sets',
      'CONFLICT past MAX_CUSTOM_ROLES_PER_ORGANIZATION (50)',
      `${rolesMade} made, then ${refusal.slice(0, 90)}`,
      rolesMade === 50 && refusal.startsWith('CONFLICT'),
    );

    // §6 /metrics on its own port, not on the public one.
    const publicMetrics = (await fetch(`${url}/metrics`)).status;
    const ownMetrics = (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status;
    record('§6 /metrics on the public port', '404 there, 200 on METRICS_PORT', `${publicMetrics}, ${ownMetrics}`, publicMetrics === 404 && ownMetrics === 200);
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((resolve) => server.process.once('exit', resolve));
    await issuer.close();
    await query(admin ?? '', `drop database if exists ${dbName} with (force)`);
    await query(admin ?? '', `drop role if exists ${appRole}`);
  }
  record(
    '§6 refusals logged as internal errors',
    'no error-level log line',
    `${errorLines.length} lines${errorLines[0] ? `: ${errorLines[0].slice(0, 120)}` : ''}`,
    errorLines.length === 0,
  );

  const width = Math.max(...findings.map((f) => f.finding.length));
  for (const f of findings) process.stdout.write(`${f.pass ? 'PASS' : 'FAIL'}  ${f.finding.padEnd(width)}  expected ${f.expected}; observed ${f.observed}\n`);
  const failed = findings.filter((f) => !f.pass).length;
  process.stdout.write(`\n${findings.length - failed} of ${findings.length} findings refused or bounded as delivered\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
