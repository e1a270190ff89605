import { BadUserInputError } from '../../errors.js';
import type { ApiTokenScopeInput } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import type { TokenScopePermission } from '../../authz/entity-permissions.js';
import type { ApiTokenRow } from './api-tokens.table.js';

export const MAX_SCOPE_AUTOMATIONS = 100;

/** A scope as it is stored: automation ids deduplicated, permissions deduplicated. */
export interface ScopeToStore {
  automationIds: string[];
  permissions: TokenScopePermission[];
}

/**
 * Checks a scope's shape (SPEC §6) and names the field that is wrong. `exists` answers whether an
 * id is an automation of the organization that the creator may view: another organization's
 * automation, a deleted one, one the creator may not see and a random id are refused alike.
 */
export async function checkedScope(input: ApiTokenScopeInput, exists: (id: string) => Promise<boolean>): Promise<ScopeToStore> {
  if (input.automationIds.length === 0) throw new BadUserInputError('scope.automationIds must name at least one automation.', { field: 'scope.automationIds' });
  if (input.permissions.length === 0)
    throw new BadUserInputError('scope.permissions must name at least one permission (TRACES, RUN, …).', { field: 'scope.permissions' });
  const automationIds = [
    ...new Set(
      input.automationIds.map((raw, i) => {
        const id = parseUuid(raw);
        if (!id) throw new BadUserInputError(`scope.automationIds[${i}] is not an automation id.`, { field: `scope.automationIds[${i}]` });
        return id;
      }),
    ),
  ];
  if (automationIds.length > MAX_SCOPE_AUTOMATIONS) {
    throw new BadUserInputError(`scope.automationIds names ${automationIds.length} automations; a token's scope holds at most ${MAX_SCOPE_AUTOMATIONS}.`, {
      field: 'scope.automationIds',
    });
  }
  for (const [i, id] of automationIds.entries()) {
    if (!(await exists(id))) {
      throw new BadUserInputError(`scope.automationIds[${i}] (${id}) is not an automation of this organization that you may view.`, {
        field: `scope.automationIds[${i}]`,
      });
    }
  }
  return { automationIds, permissions: [...new Set(input.permissions)] };
}

/** ApiToken.scope as the API shows it. */
export function scopeOf(token: ApiTokenRow): ScopeToStore | null {
  return token.scopeAutomationIds && token.scopePermissions ? { automationIds: token.scopeAutomationIds, permissions: token.scopePermissions } : null;
}
