import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { CLI_TIMEOUT_MS, createCliStore, type CliStore } from '../support/cli.js';

// `gatehouse documents register` as built, on a store of its own (test/support/cli.ts): the hash
// forms of client preset 6 (`sha256:<hex>` keys), and refusals for documents over the gateway's limits.
let cli: CliStore;
const gatehouse = (args: string[], env: Record<string, string> = {}) => cli.run(args, env);
afterAll(() => cli?.close());

const SPAWNS = { timeout: CLI_TIMEOUT_MS };
beforeAll(async () => {
  cli = await createCliStore();
  const migrated = gatehouse(['migrate']);
  if (migrated.status !== 0) throw new Error(migrated.stderr);
}, CLI_TIMEOUT_MS);

function write(name: string, content: unknown): string {
  const file = path.join(cli.workDir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const PREFIXED = 'query Prefixed { viewer { user { id } } }';
const BARE = 'query Bare { viewer { user { name } } }';
const DEEP = 'query Deep { viewer { memberships { organization { roles { features { feature } } } } } }';

describe('gatehouse documents register', SPAWNS, () => {
  it('takes "sha256:<hex>" keys (client preset 6) and bare ones in one file, and stores the bare hex', () => {
    const file = write('persisted-documents.json', { [`sha256:${sha256Hex(PREFIXED)}`]: PREFIXED, [sha256Hex(BARE)]: BARE });
    const result = gatehouse(['documents', 'register', file, '--client', 'web']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Registered 2 documents for client web: 2 new, 0 already registered.\n');
    const list = gatehouse(['documents', 'list']).stdout;
    expect(list).toMatch(new RegExp(`^${sha256Hex(PREFIXED)}  Prefixed `, 'm'));
    expect(list).not.toContain('sha256:');
  });

  it('the same document under both forms is one document', () => {
    const file = write('both-forms.json', { [`sha256:${sha256Hex(BARE)}`]: BARE, [sha256Hex(BARE)]: BARE });
    expect(gatehouse(['documents', 'register', file]).stdout).toBe('Registered 1 document: 0 new, 1 already registered.\n');
  });

  it("refuses keys of another algorithm, and a prefixed hash that is not its text's, with what to do", () => {
    const fresh = 'query Fresh { viewer { user { id name } } }';
    const sha1 = `sha1:${'0'.repeat(40)}`;
    const file = write('wrong-hashes.json', { [sha1]: fresh, [`sha256:${sha256Hex(BARE)}`]: fresh });
    const result = gatehouse(['documents', 'register', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `document ${sha1}: the key is not a SHA-256 ("sha256:" and 64 lowercase hex digits, or the digits alone); leave the client preset's persistedDocuments.hashAlgorithm at its default, 'sha256'.`,
    );
    expect(result.stderr).toContain(`document sha256:${sha256Hex(BARE)}: the hash does not match the text (its SHA-256 is ${sha256Hex(fresh)})`);
  });

  it("refuses documents the gateway would refuse, each with the gateway's code, and registers once the limit is raised", () => {
    const file = write('deep.json', { [`sha256:${sha256Hex(DEEP)}`]: DEEP });
    const invalid = write('invalid.graphql', 'query Invalid { viewer { nope } }');
    // The CLI reads MAX_QUERY_DEPTH from its environment, as the gateway does (default 8).
    const refused = gatehouse(['documents', 'register', file, invalid], { MAX_QUERY_DEPTH: '5' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('Nothing registered');
    expect(refused.stderr).toContain(
      `deep.json, document sha256:${sha256Hex(DEEP)}: it is over the gateway's limits: The operation nests fields 6 deep; the limit is 5.`,
    );
    expect(refused.stderr).toContain('raise MAX_QUERY_DEPTH on the gateway');
    expect(refused.stderr).toContain('(the gateway answers QUERY_TOO_DEEP).');
    expect(refused.stderr).toMatch(
      /invalid\.graphql: it is not valid against the gateway's schema: Cannot query field "nope" on type "Viewer"\..*\(the gateway answers GRAPHQL_VALIDATION_FAILED\)\./,
    );
    const raised = gatehouse(['documents', 'register', file], { MAX_QUERY_DEPTH: '6' });
    expect(raised.stderr).toBe('');
    expect(raised.stdout).toBe('Registered 1 document: 1 new, 0 already registered.\n');
  });
});
