import type { SecretBox } from '../../crypto/secret-box.js';
import { BadUserInputError } from '../../errors.js';
import type { GitProvider, GitRepoRow } from './git-repos.table.js';

/**
 * A repository's read credential (SPEC §7 "from Git (a read credential for that repository)").
 *
 * One kind: an HTTPS access token (a GitHub fine-grained or installation token, a GitLab project or
 * deploy token, a Bitbucket repository access token). A runtime uses it with plain `git` over HTTPS
 * through a credential helper, so the runner image needs nothing else. An SSH deploy key would also
 * need an ssh client and pinned host keys (known_hosts) in every runner image, and a clone URL of a
 * second form; it can be added later as another member of the mutation's input.
 */

/** AES-GCM associated data: a ciphertext copied into another row or organization does not open. */
export const readCredentialContext = (organizationId: number, id: string) => `git_repos.read_credential:${organizationId}:${id}`;

/** The username each provider documents for token authentication over HTTPS. */
const DEFAULT_USERNAME: Record<GitProvider, string> = {
  GITHUB: 'x-access-token',
  GITLAB: 'oauth2',
  BITBUCKET: 'x-token-auth',
};

const PROVIDER_HOST: Record<GitProvider, string> = {
  GITHUB: 'https://github.com/',
  GITLAB: 'https://gitlab.com/',
  BITBUCKET: 'https://bitbucket.org/',
};

const MAX_TOKEN = 4096;
const MAX_URL = 2048;
// Printable ASCII without spaces: what a credential helper passes through unchanged.
const TOKEN = /^[\x21-\x7e]+$/;
const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;

export interface ReadCredentialInput {
  accessToken: string;
  username?: string | null;
}

export interface SealedReadCredential {
  readCredentialCiphertext: Buffer;
  readCredentialUsername: string;
  readCredentialUpdatedAt: Date;
}

/** Checks and seals a credential for the repository `row`; nothing of the token is kept in clear. */
export function sealReadCredential(secrets: SecretBox, row: GitRepoRow, input: ReadCredentialInput): SealedReadCredential {
  const token = input.accessToken.trim();
  if (token.length === 0 || token.length > MAX_TOKEN || !TOKEN.test(token)) {
    throw new BadUserInputError(
      `credential.accessToken must be 1 to ${MAX_TOKEN} printable characters without spaces: paste the token exactly as your Git provider showed it.`,
      { field: 'credential.accessToken' },
    );
  }
  const username = input.username?.trim() || DEFAULT_USERNAME[row.provider];
  if (!USERNAME.test(username)) {
    throw new BadUserInputError('credential.username must be 1 to 100 letters, digits or "._@+-"; omit it to use the provider\'s token username.', {
      field: 'credential.username',
    });
  }
  return {
    readCredentialCiphertext: secrets.seal(token, readCredentialContext(row.organizationId, row.id)),
    readCredentialUsername: username,
    readCredentialUpdatedAt: new Date(),
  };
}

/**
 * What the automation's Kubernetes Secret carries for a Git source (README "Runner contract"):
 * nothing when the repository has no credential (a public repository).
 */
export function readCredentialEnv(secrets: SecretBox, row: GitRepoRow): Record<string, string> {
  if (!row.readCredentialCiphertext || !row.readCredentialUsername) return {};
  return {
    GATEHOUSE_GIT_USERNAME: row.readCredentialUsername,
    GATEHOUSE_GIT_TOKEN: secrets.open(Buffer.from(row.readCredentialCiphertext), readCredentialContext(row.organizationId, row.id)),
  };
}

/**
 * The clone URL of a repository being connected: the one given (a self-hosted server), or the
 * provider's public host. HTTPS only, and without credentials: those go in the read credential,
 * which is never readable, while the URL is shown to everyone who may deploy.
 */
export function cloneUrl(provider: GitProvider, fullName: string, raw: string | null | undefined): string {
  const text = raw?.trim() ?? '';
  if (text === '') return `${PROVIDER_HOST[provider]}${fullName}.git`;
  const invalid = new BadUserInputError(
    `cloneUrl must be an https:// URL of at most ${MAX_URL} characters without credentials, query or fragment (for example https://git.example.com/acme/crew.git); set the token with setGitRepoReadCredential.`,
    { field: 'cloneUrl' },
  );
  if (text.length > MAX_URL || !URL.canParse(text)) throw invalid;
  const url = new URL(text);
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') throw invalid;
  return text;
}
