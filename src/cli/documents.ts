import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type LimitsConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { buildExecutableSchema } from '../graphql/schema.js';
import { checkDocument } from '../modules/trusted-documents/check-document.js';
import { bareSha256, sha256Hex } from '../modules/trusted-documents/document-hash.js';
import { isRecord } from '../modules/trusted-documents/operation-request.js';
import { insertTrustedDocuments, listTrustedDocuments } from '../modules/trusted-documents/trusted-documents.repository.js';
import type { NewTrustedDocument } from '../modules/trusted-documents/trusted-documents.table.js';
import { CliError } from './commands.js';

/** One document read from a file, before it is checked. */
interface Candidate {
  /** Where it came from, as the problems name it: `FILE` or `FILE, document <hash>`. */
  source: string;
  /** Bare lowercase hex, as stored, whatever form the file gave it in. */
  sha256: string;
  text: string;
}

type FileRead = { candidates: Candidate[]; problems: string[] };

/**
 * @graphql-codegen client-preset's persisted-documents.json: `{ "sha256:<hex>": "<document>" }`
 * (client preset 6; the GraphQL over HTTP form), or bare `"<hex>"` keys (older presets, hand-made
 * manifests). Stored under the bare hex either way: the gateway strips the prefix from requests.
 */
function readPersistedDocuments(file: string, content: string): FileRead {
  let manifest: unknown;
  try {
    manifest = JSON.parse(content);
  } catch {
    return { candidates: [], problems: [`${file}: not valid JSON.`] };
  }
  if (!isRecord(manifest))
    return { candidates: [], problems: [`${file}: expected an object of "sha256:<hex>": "<document>" (client-preset's persisted-documents.json).`] };
  const candidates: Candidate[] = [];
  const problems: string[] = [];
  for (const [key, text] of Object.entries(manifest)) {
    const source = `${file}, document ${key}`;
    const sha256 = bareSha256(key);
    if (sha256 === undefined) {
      problems.push(
        `${source}: the key is not a SHA-256 ("sha256:" and 64 lowercase hex digits, or the digits alone); leave the client preset's persistedDocuments.hashAlgorithm at its default, 'sha256'.`,
      );
    } else if (typeof text !== 'string') {
      problems.push(`${source}: the value must be the document's text, a string.`);
    } else if (sha256Hex(text) !== sha256) {
      problems.push(
        `${source}: the hash does not match the text (its SHA-256 is ${sha256Hex(text)}); regenerate the file with graphql-codegen rather than editing it.`,
      );
    } else {
      candidates.push({ source, sha256, text });
    }
  }
  return { candidates, problems };
}

function readFile(file: string): FileRead {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { candidates: [], problems: [`${file}: cannot be read (${error instanceof Error ? error.message : String(error)}).`] };
  }
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return readPersistedDocuments(file, content);
  // One document per file, hashed as it is on disk: the client must send these exact bytes.
  if (extension === '.graphql' || extension === '.gql') return { candidates: [{ source: file, sha256: sha256Hex(content), text: content }], problems: [] };
  return { candidates: [], problems: [`${file}: expected a persisted-documents .json file or a .graphql/.gql file.`] };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * `gatehouse documents register FILE… [--client NAME]`: all the files' documents in one
 * transaction, or none when any of them has a problem (a hash that is not its text's, a document
 * the gateway would refuse: one that does not parse or validate against its schema, or is over
 * `limits`, which default to the gateway's own settings read from the environment).
 */
export async function documentsRegister(
  db: Db,
  files: readonly string[],
  clientName: string | undefined,
  limits: LimitsConfig = loadConfig().limits,
): Promise<string> {
  if (clientName !== undefined && (clientName.length < 1 || clientName.length > 100)) throw new CliError('--client must be 1 to 100 characters.');
  const reads = files.map(readFile);
  const problems = reads.flatMap((read) => read.problems);
  const candidates = reads.flatMap((read) => read.candidates);
  const schema = buildExecutableSchema();
  const documents = new Map<string, NewTrustedDocument>();
  for (const candidate of candidates) {
    if (documents.has(candidate.sha256)) continue;
    const check = checkDocument(schema, candidate.text, limits);
    if (!check.ok) problems.push(...check.refusals.map((refusal) => `${candidate.source}: ${refusal.problem}.`));
    else
      documents.set(candidate.sha256, {
        sha256: candidate.sha256,
        document: candidate.text,
        operationName: check.operationName,
        clientName: clientName ?? null,
      });
  }
  if (problems.length > 0) {
    throw new CliError(`Nothing registered; fix these and run the command again:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const added = await insertTrustedDocuments(db, [...documents.values()]);
  const client = clientName === undefined ? '' : ` for client ${clientName}`;
  return `Registered ${plural(documents.size, 'document')}${client}: ${added} new, ${documents.size - added} already registered.\n`;
}

/** `gatehouse documents list [--client NAME]`: hash, operation, client and registration time, oldest first. */
export async function documentsList(db: Db, clientName: string | undefined): Promise<string> {
  const rows = await listTrustedDocuments(db, clientName);
  if (rows.length === 0)
    return clientName === undefined ? 'No trusted documents are registered.\n' : `No trusted documents are registered for client ${clientName}.\n`;
  const table = [
    ['SHA256', 'OPERATION', 'CLIENT', 'REGISTERED'],
    ...rows.map((row) => [row.sha256, row.operationName ?? '(anonymous)', row.clientName ?? '-', row.createdAt.toISOString()]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((line) => line[column]?.length ?? 0))) ?? [];
  return table.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n') + '\n';
}
