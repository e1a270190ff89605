import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Authz } from '../../src/authz/authz.js';
import { ForbiddenError } from '../../src/errors.js';
import { guard } from '../../src/authz/guard.js';
import { applyAuthorization } from '../../src/authz/shield.js';
import { Metrics } from '../../src/observability/metrics.js';

// Deny by default (issue 2 §9): a field nobody classified is denied; a rule that throws denies and
// is logged; shield's swallowed exceptions never turn into an allow.
type Fragile = 'throws' | 'rejects' | 'allows' | 'refuses' | 'refuses later' | 'allows later';
/** Times the `fragile` field's resolver ran: never unless its rule allowed. */
let resolved = 0;
function schemaWith(fragile: Fragile): GraphQLSchema {
  const base = makeExecutableSchema({
    typeDefs: 'type Query { open: String  forgotten: String  fragile: String }',
    resolvers: { Query: { open: () => 'open', forgotten: () => 'secret', fragile: () => (resolved++, 'fragile') } },
  });
  // A check that fails at once, or after awaiting something (a query): the guard answers a
  // synchronous decision without a promise, so each path has its own handling of a failure.
  const rule = guard(
    `test-fragile-${fragile}`,
    () => {
      if (fragile === 'throws') throw new Error('database went away');
      if (fragile === 'rejects') return Promise.reject(new Error('database went away later'));
      if (fragile === 'refuses') return new ForbiddenError('not yours');
      if (fragile === 'refuses later') return Promise.resolve(new ForbiddenError('not yours either'));
      return fragile === 'allows later' ? Promise.resolve(true) : true;
    },
    () => true,
  );
  return applyAuthorization(base, {
    rules: {
      Query: {
        open: guard(
          'test-allow',
          () => true,
          () => true,
        ),
        fragile: rule,
      },
    },
    inherits: {},
  });
}

async function run(schema: GraphQLSchema, query: string, logged: unknown[] = []) {
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  return execute({ schema, document: parse(query), contextValue: { authz: Authz.anonymous(), logger, requestId: 'test-request', metrics: new Metrics() } });
}

describe('authorization fails closed', () => {
  it('a field with neither a rule nor an inherit entry is denied', async () => {
    const result = await run(schemaWith('allows'), '{ open forgotten }');
    expect(result.data).toEqual({ open: 'open', forgotten: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it.each([
    ['throws', 'database went away'],
    ['rejects', 'database went away later'],
  ] as const)('a rule that %s denies the field and logs the failure', async (fragile, failure) => {
    const logged: unknown[] = [];
    const result = await run(schemaWith(fragile), '{ fragile }', logged);
    expect(result.data).toEqual({ fragile: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toContain('test-request');
    expect(JSON.stringify(logged)).toContain(failure);
  });

  it.each([
    ['refuses', 'not yours'],
    ['refuses later', 'not yours either'],
  ] as const)('a rule that %s: the field is null with its error, and its resolver never runs', async (fragile, message) => {
    resolved = 0;
    const result = await run(schemaWith(fragile), '{ open fragile }');
    expect(result.data).toEqual({ open: 'open', fragile: null });
    expect(result.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([[message, 'FORBIDDEN']]);
    expect(resolved).toBe(0);
  });

  it.each(['allows', 'allows later'] as const)('the same rule, when it %s, resolves the field once', async (fragile) => {
    resolved = 0;
    const result = await run(schemaWith(fragile), '{ fragile }');
    expect(result).toEqual({ data: { fragile: 'fragile' } });
    expect(resolved).toBe(1);
  });
});
