import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { pageOf } from '../../graphql/resource-helpers.js';
import { countAuditEntries, listAuditEntries, type AuditFilter } from './audit.repository.js';
import { parseUuid } from '../../graphql/ids.js';

const UUID_FILTERS = ['actorUserId', 'actorServiceAccountId'] as const;

export const auditResolvers: Resolvers = {
  Organization: {
    auditLog: (org, args, ctx) => {
      const filter: AuditFilter = { ...args.filter };
      // A malformed id matches nothing rather than failing in SQL.
      for (const name of UUID_FILTERS) if (filter[name] != null) filter[name] = parseUuid(filter[name]) ?? '00000000-0000-0000-0000-000000000000';
      return pageOf(
        args,
        ctx,
        (page) => listAuditEntries(ctx.db, org.id, filter, page),
        () => countAuditEntries(ctx.db, org.id, filter),
      );
    },
  },
};
