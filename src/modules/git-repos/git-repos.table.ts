import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type GitProvider = 'GITHUB' | 'GITLAB' | 'BITBUCKET';

export interface GitReposTable {
  id: Generated<string>;
  organizationId: number;
  provider: ColumnType<GitProvider, GitProvider | undefined, GitProvider>;
  fullName: string;
  defaultBranch: Generated<string>;
  /** HTTPS URL a runtime clones (README "Runner contract", GATEHOUSE_SOURCE_REPOSITORY_URL). */
  cloneUrl: string;
  /** The read credential (an HTTPS access token), sealed and bound to this row; never readable through the API. */
  readCredentialCiphertext: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  /** The HTTPS username sent with the token; set exactly when the credential is. */
  readCredentialUsername: ColumnType<string | null, string | null | undefined, string | null>;
  readCredentialUpdatedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  createdAt: ColumnType<Date, never, never>;
}

export type GitRepoRow = Selectable<GitReposTable>;
export type NewGitRepo = Insertable<GitReposTable>;
