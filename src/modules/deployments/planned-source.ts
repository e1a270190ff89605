import type { AutomationSource } from '../../k8s/manifests.js';
import type { GitRepoRow } from '../git-repos/git-repos.table.js';

/** A Studio source: an existing snapshot (redeploy, rollback), or the document of a new one. */
export interface PlannedStudio {
  projectId: string | null;
  projectName: string;
  sha256: string;
  snapshot: { id: string } | { document: string };
}

/** What a deploy will do, checked against SPEC §4 before anything is written. */
export interface PlannedSource {
  source: AutomationSource;
  gitRepoId: string | null;
  archiveId: string | null;
  /** The repository as it is now: its read credential goes into the automation's Secret. */
  gitRepo: GitRepoRow | null;
  studio: PlannedStudio | null;
}
