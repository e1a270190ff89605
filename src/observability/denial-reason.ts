import { AUTOMATION_ACTIONS, GRANT_PERMISSIONS } from '../authz/entity-permissions.js';
import { FEATURES, isFeature } from '../authz/features.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, type GatehouseError } from '../errors.js';

/**
 * The `reason` label of gatehouse_authz_denials_total: what a denied caller lacked, from a closed
 * list (never an id, a name or a message), so that the series stay few whatever callers send.
 *
 * - `feature:<feature>`: a feature level (SPEC §2); the FORBIDDEN carries `extensions.feature`.
 * - `permission:<permission>`: an entity permission (SPEC §3); it carries `extensions.permission`.
 * - `forbidden`: any other FORBIDDEN (Owner-only, instance administrators, users only).
 * - `not_found`: not a member, or an entity the caller may not see (SPEC §1 "Cross-tenant").
 * - `unauthenticated`: no principal.
 * - `rule_error`: the rule threw, and the guard denied (src/authz/guard.ts).
 * - `other`: anything else, including a reason not on this list.
 */
export const RULE_ERROR = 'rule_error';
export const OTHER_REASON = 'other';

const PERMISSIONS: readonly string[] = [...new Set([...AUTOMATION_ACTIONS.map((a) => a.toLowerCase()), ...GRANT_PERMISSIONS])];

export const DENIAL_REASONS: ReadonlySet<string> = new Set([
  ...FEATURES.map((f) => `feature:${f}`),
  ...PERMISSIONS.map((p) => `permission:${p}`),
  'forbidden',
  'not_found',
  'unauthenticated',
  RULE_ERROR,
  OTHER_REASON,
]);

export function denialReason(error: GatehouseError): string {
  if (error instanceof UnauthenticatedError) return 'unauthenticated';
  if (error instanceof NotFoundError) return 'not_found';
  if (!(error instanceof ForbiddenError)) return OTHER_REASON;
  const { feature, permission } = error.extensions;
  if (typeof feature === 'string' && isFeature(feature)) return `feature:${feature}`;
  if (typeof permission === 'string' && PERMISSIONS.includes(permission)) return `permission:${permission}`;
  return 'forbidden';
}
