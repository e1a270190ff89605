import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { CLI_TIMEOUT_MS, createCliStore, type CliStore } from '../support/cli.js';

// `gatehouse documents register|list` as built, on a store of its own (test/support/cli.ts).
let cli: CliStore;
const gatehouse = (...args: string[]) => cli.run(args);
afterAll(() => cli?.close());

const SPAWNS = { timeout: CLI_TIMEOUT_MS };
beforeAll(async () => {
  cli = await createCliStore();
  // On PGlite, migrating once here keeps the first test from paying for the migrations too.
  const migrated = gatehouse('migrate');
  if (migrated.status !== 0) throw new Error(migrated.stderr);
}, CLI_TIMEOUT_MS);

/** Writes a file in the test's directory; returns its path. */
function write(name: string, content: string): string {
  const file = path.join(cli.workDir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A persisted-documents.json as @graphql-codegen's client preset writes it. */
const manifest = (...documents: string[]) => JSON.stringify(Object.fromEntries(documents.map((text) => [sha256Hex(text), text])), null, 2);

const VIEWER = 'query Viewer { viewer { user { email } } }';
const ORGANIZATION = 'query Organization($id: ID!) { organization(id: $id) { id name } }';
const listed = () => gatehouse('documents', 'list').stdout;

describe('gatehouse documents register', SPAWNS, () => {
  it('registers a persisted-documents.json in one go, under --client', () => {
    const result = gatehouse('documents', 'register', write('persisted-documents.json', manifest(VIEWER, ORGANIZATION)), '--client', 'web');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('Registered 2 documents for client web: 2 new, 0 already registered.\n');
  });

  it('registering the same documents again changes nothing and says so', () => {
    const result = gatehouse('documents', 'register', path.join(cli.workDir, 'persisted-documents.json'), '--client', 'web');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('Registered 2 documents for client web: 0 new, 2 already registered.\n');
  });

  it("refuses the whole file when one hash is not its text's, and writes nothing", () => {
    const fresh = 'query Fresh { viewer { user { id } } }';
    const tampered = { [sha256Hex(fresh)]: fresh, [sha256Hex(VIEWER)]: 'query Sneaky { viewer { memberships { role { name } } } }' };
    const result = gatehouse('documents', 'register', write('tampered.json', JSON.stringify(tampered)));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Nothing registered');
    expect(result.stderr).toContain(`tampered.json, document ${sha256Hex(VIEWER)}: the hash does not match the text`);
    expect(listed()).not.toContain(sha256Hex(fresh));
  });

  it('refuses a document that does not validate against the schema, or does not parse, naming each', () => {
    const valid = 'query StillValid { viewer { user { name } } }';
    const unknownField = 'query Broken { viewer { nope } }';
    const unparsable = 'query {';
    const result = gatehouse('documents', 'register', write('invalid.json', manifest(valid, unknownField)), write('unparsable.graphql', unparsable));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `invalid.json, document ${sha256Hex(unknownField)}: it is not valid against the gateway's schema: Cannot query field "nope" on type "Viewer"`,
    );
    expect(result.stderr).toContain('unparsable.graphql: it does not parse: Syntax Error');
    expect(listed()).not.toContain(sha256Hex(valid));
  });

  it('registers .graphql and .gql files, each one document hashed exactly as it is on disk', () => {
    const graphql = `${VIEWER.replace('Viewer', 'ViewerFromFile')}\n`;
    const gql = 'query A { viewer { user { id } } }\nquery B { viewer { user { email } } }\n';
    const result = gatehouse('documents', 'register', write('viewer.graphql', graphql), write('pair.gql', gql));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('Registered 2 documents: 2 new, 0 already registered.\n');
    const list = listed();
    expect(list).toMatch(new RegExp(`^${sha256Hex(graphql)}  ViewerFromFile +- +\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    expect(list).toMatch(new RegExp(`^${sha256Hex(gql)}  A, B +- +\\d{4}-`, 'm'));
  });

  it('needs at least one file, and refuses other kinds of file', () => {
    expect(gatehouse('documents', 'register').stderr).toContain('documents register takes one or more operands');
    const other = gatehouse('documents', 'register', write('notes.txt', VIEWER));
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('notes.txt: expected a persisted-documents .json file or a .graphql/.gql file.');
  });
});

describe('gatehouse documents list', SPAWNS, () => {
  it("prints hash, operation, client and date, oldest first; --client keeps one client's", () => {
    const lines = listed().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SHA256 +OPERATION +CLIENT +REGISTERED$/);
    expect(lines).toHaveLength(5);
    const web = gatehouse('documents', 'list', '--client', 'web').stdout.trimEnd().split('\n');
    expect(web.slice(1).map((line) => line.split(/ {2,}/).slice(0, 3))).toEqual(
      expect.arrayContaining([
        [sha256Hex(VIEWER), 'Viewer', 'web'],
        [sha256Hex(ORGANIZATION), 'Organization', 'web'],
      ]),
    );
    expect(web).toHaveLength(3);
    expect(gatehouse('documents', 'list', '--client', 'ios').stdout).toBe('No trusted documents are registered for client ios.\n');
  });
});
