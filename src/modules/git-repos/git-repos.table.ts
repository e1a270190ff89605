import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type GitProvider = 'GITHUB' | 'GITLAB' | 'BITBUCKET';

export interface GitReposTable {
  id: Generated<string>;
  organizationId: number;
  provider: ColumnType<GitProvider, GitProvider | undefined, GitProvider>;
  fullName: string;
  defaultBranch: Generated<string>;
  createdAt: ColumnType<Date, never, never>;
}

export type GitRepoRow = Selectable<GitReposTable>;
export type NewGitRepo = Insertable<GitReposTable>;
