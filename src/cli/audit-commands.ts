import type { Db } from '../db/database.js';
import { hasAuditEntries } from '../modules/audit/audit.repository.js';
import { verifyAuditChains, type ChainReport, type VerifyReport } from '../modules/audit/audit-verify.js';
import { findOrganizationsByIds } from '../modules/organizations/organizations.repository.js';
import { CliError } from './cli-error.js';

const chainName = (chain: ChainReport) => (chain.organizationId === null ? 'entries without an organization' : `organization ${chain.organizationId}`);

/**
 * `gatehouse audit verify [--org ID]`: recomputes the audit log's hash chains (README "Audit log").
 * The report goes to stdout as one line of JSON either way. A broken chain is then named on stderr,
 * a line each with the first entry that does not match, by the error that makes the exit code 1:
 * thrown rather than set as process.exitCode, which closing the embedded PGlite resets to 0.
 */
export async function auditVerify(db: Db, organizationId: number | undefined): Promise<VerifyReport> {
  if (organizationId !== undefined) {
    const [organization] = await findOrganizationsByIds(db, [organizationId]);
    // An organization that was deleted keeps its entries: only refuse one that has neither.
    if (!organization && !(await hasAuditEntries(db, organizationId)))
      throw new CliError(`Organization ${organizationId} does not exist and has no audit entries.`);
  }
  const report = await verifyAuditChains(db, organizationId);
  if (report.verified) return report;
  process.stdout.write(`${JSON.stringify(report)}\n`);
  const lines = report.chains.flatMap((chain) => {
    if (!chain.broken) return [];
    const { kind, entryId, chainSeq, detail } = chain.broken;
    return [`audit chain of ${chainName(chain)} is broken: entry #${chainSeq} ${kind === 'removed' ? 'was removed' : `(${entryId}) was changed`}: ${detail}`];
  });
  throw new Error(
    `${lines.join('\n')}\nEntries were changed or removed outside the gateway (with MIGRATION_DATABASE_URL set, its own role cannot): keep the database as it is, and compare these entries with a backup to see what they said.`,
  );
}
