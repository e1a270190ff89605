import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AUDITED, NOT_AUDITED } from '../../src/modules/audit/audited-mutations.js';
import { buildExecutableSchema } from '../../src/graphql/schema.js';

// Every mutation either writes an audit entry or says why not (issue 4 §7).
const mutation = buildExecutableSchema().getMutationType();
const names = mutation && isObjectType(mutation) ? Object.keys(mutation.getFields()) : [];

describe('audit coverage', () => {
  it.each(names)('Mutation.%s is audited or has a reason not to be', (name) => {
    const audited = name in AUDITED;
    const exempt = name in NOT_AUDITED;
    expect(audited !== exempt, `${name}: audited=${audited}, exempt=${exempt}`).toBe(true);
  });

  it('lists no mutation that does not exist', () => {
    for (const name of [...Object.keys(AUDITED), ...Object.keys(NOT_AUDITED)]) expect(names).toContain(name);
  });
});
