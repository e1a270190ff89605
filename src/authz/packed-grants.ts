import { FEATURES, LEVELS, type Feature, type FeatureLevels, type Level } from './features.js';
import type { OrganizationGrant } from './principal.js';

/**
 * A principal's grants as the request's one authorization statement returns them
 * (src/authz/authorize-request.ts): one string, an entry per organization,
 * `organizationId,roleId,flags,levels` joined by `;`. `flags` is four 0/1 characters (Owner role,
 * entity RBAC, Git repository RBAC, a manage_settings grant on some automation); `levels` one
 * character per feature in FEATURES order, the first letter of its level (N, R, M).
 *
 * A session in a thousand organizations costs one string, not a thousand decoded rows: an
 * organization's entry is parsed when the request first touches it, and the permission set's
 * summary is read off the characters without making an object per organization.
 */
export class PackedGrants implements Pick<ReadonlyMap<number, OrganizationGrant>, 'get' | 'has' | 'keys' | 'size'> {
  private readonly text: string;
  private readonly parsed = new Map<number, OrganizationGrant | undefined>();
  private ids: number[] | undefined;
  readonly size: number;

  constructor(packed: string | null) {
    this.text = packed ? `;${packed};` : ';';
    this.size = packed ? count(packed, ';') + 1 : 0;
  }

  get(organizationId: number): OrganizationGrant | undefined {
    if (this.parsed.has(organizationId)) return this.parsed.get(organizationId);
    const at = this.text.indexOf(`;${organizationId},`);
    const grant = at < 0 ? undefined : parseEntry(this.text.slice(at + 1, this.text.indexOf(';', at + 1)));
    this.parsed.set(organizationId, grant);
    return grant;
  }

  has(organizationId: number): boolean {
    return this.get(organizationId) !== undefined;
  }

  keys(): MapIterator<number> {
    this.ids ??=
      this.text.length > 1
        ? this.text
            .slice(1, -1)
            .split(';')
            .map((entry) => Number(entry.slice(0, entry.indexOf(','))))
        : [];
    return this.ids.values();
  }

  /** The highest level of each feature over every organization (Owners hold MANAGE), and the flags the permission set needs. */
  summary(): GrantSummary {
    const ranks = FEATURES.map(() => 0);
    let owner = false;
    let automationManageGrant = false;
    for (let start = 1; start < this.text.length;) {
      const end = this.text.indexOf(';', start);
      const levelsAt = end - FEATURES.length;
      const flagsAt = levelsAt - 5;
      const isOwner = this.text.charCodeAt(flagsAt) === ONE;
      owner ||= isOwner;
      for (let i = 0; i < FEATURES.length; i++) ranks[i] = Math.max(ranks[i] ?? 0, isOwner ? 2 : rankOf(this.text.charCodeAt(levelsAt + i)));
      // A grant counts only where automations are reachable at all (SPEC §3 rule 2).
      if (this.text.charCodeAt(flagsAt + 3) === ONE && (isOwner || this.text.charCodeAt(levelsAt + CREWS) !== N)) automationManageGrant = true;
      start = end + 1;
    }
    const levels = Object.fromEntries(FEATURES.map((feature, i) => [feature, LEVELS[ranks[i] ?? 0] ?? 'NO_ACCESS'])) as Record<Feature, Level>;
    return { member: this.size > 0, owner, levels, automationManageGrant };
  }
}

export interface GrantSummary {
  member: boolean;
  owner: boolean;
  levels: FeatureLevels;
  automationManageGrant: boolean;
}

const ONE = '1'.charCodeAt(0);
const N = 'N'.charCodeAt(0);
const R = 'R'.charCodeAt(0);
const M = 'M'.charCodeAt(0);
const CREWS = FEATURES.indexOf('crews_dashboards');

function rankOf(code: number): number {
  return code === M ? 2 : code === R ? 1 : 0;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) n++;
  return n;
}

const LEVEL_OF: Readonly<Record<string, Level>> = { N: 'NO_ACCESS', R: 'READ', M: 'MANAGE' };

/** Levels from their letters, one per feature in FEATURES order (an entry's, or grant_summaries'). */
export function levelsOf(letters: string): FeatureLevels {
  if (letters.length !== FEATURES.length) throw new Error(`malformed levels ${JSON.stringify(letters)}`);
  const levels = {} as FeatureLevels;
  FEATURES.forEach((feature, i) => {
    const level = LEVEL_OF[letters[i] ?? ''];
    if (!level) throw new Error(`malformed levels ${JSON.stringify(letters)}`);
    levels[feature] = level;
  });
  return levels;
}

function parseEntry(entry: string): OrganizationGrant {
  const [organizationId = '', roleId = '', flags = '', letters = ''] = entry.split(',');
  if (flags.length !== 4 || letters.length !== FEATURES.length) throw new Error(`malformed grant entry ${JSON.stringify(entry)}`);
  return {
    organizationId: Number(organizationId),
    roleId,
    isOwner: flags[0] === '1',
    entityRbac: flags[1] === '1',
    gitRepositoryRbac: flags[2] === '1',
    automationManageGrant: flags[3] === '1',
    levels: levelsOf(letters),
  };
}
