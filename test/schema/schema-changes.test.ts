import fs from 'node:fs';
import path from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, DEFAULT_DEPRECATION_REASON, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { publicSchema } from '../../src/graphql/public-schema.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { ROOT_DIR } from '../../src/paths.js';

// Issue 12 §5, README "Schema changes": the working schema against the released snapshot with
// graphql-inspector; a breaking change must be listed in the CHANGELOG before it lands.

const released = () => buildSchema(fs.readFileSync(path.join(ROOT_DIR, 'schema.released.graphql'), 'utf8'));
const changelog = () => fs.readFileSync(path.join(ROOT_DIR, 'CHANGELOG.md'), 'utf8');

/** The text of the CHANGELOG's "Unreleased" entries marked **Breaking**, with their sub-items. */
function breakingEntries(text: string): string {
  const start = text.indexOf('\n## Unreleased');
  if (start === -1) return '';
  const end = text.indexOf('\n## ', start + 1);
  const lines = text.slice(start, end === -1 ? undefined : end).split('\n');
  const kept: string[] = [];
  let inside: number | null = null; // the indentation of the **Breaking** item being read
  for (const line of lines) {
    const item = /^(\s*)- /.exec(line);
    const indent = line.length - line.trimStart().length;
    if (item && (inside === null || indent <= inside)) inside = line.includes('**Breaking**') ? indent : null;
    else if (inside !== null && line.trim() !== '' && indent <= inside) inside = null;
    if (inside !== null) kept.push(line);
  }
  return kept.join('\n');
}

/** Breaking changes from `before` to `after` that no **Breaking** entry names (as `Type.field`, `Type.field.argument` or `Type`). */
async function unlistedBreakingChanges(before: GraphQLSchema, after: GraphQLSchema, changelogText: string): Promise<string[]> {
  const listed = breakingEntries(changelogText);
  const changes = await diff(before, after);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .filter((change) => {
      const parts = (change.path ?? '').split('.');
      const names = [parts.join('.'), parts.slice(0, 2).join('.')].filter((name, i) => i === 0 || parts.length > 2);
      return !names.some((name) => name !== '' && listed.includes(`\`${name}\``));
    })
    .map((change) => `${change.path ?? '(schema)'}: ${change.message}`);
}

const working = () => publicSchema(loadTypeDefs());

describe('breaking changes since the released schema', () => {
  it('each is listed under Unreleased in the CHANGELOG, marked **Breaking**', async () => {
    expect(await unlistedBreakingChanges(released(), working(), changelog())).toEqual([]);
  });

  it('an unlisted one fails the check; listing it passes', async () => {
    const before = working();
    const sdl = loadTypeDefs().map((defs) => defs.replace('  name: String!\n  createdAt: DateTime!\n  "The caller', '  name: String!\n  "The caller'));
    const after = publicSchema(sdl);
    expect(Object.keys(before.getTypeMap()).length).toBe(Object.keys(after.getTypeMap()).length);
    const unlisted = await unlistedBreakingChanges(before, after, changelog());
    expect(unlisted).toEqual([expect.stringMatching(/^Organization\.createdAt: Field 'createdAt'.*removed/)]);

    const withEntry = changelog().replace('## Unreleased\n', '## Unreleased\n\n- **Breaking**: `Organization.createdAt` is gone.\n');
    expect(await unlistedBreakingChanges(before, after, withEntry)).toEqual([]);
    // Named anywhere else (not under a **Breaking** item) does not count.
    const mentioned = changelog().replace('## Unreleased\n', '## Unreleased\n\n- `Organization.createdAt` is gone.\n');
    expect(await unlistedBreakingChanges(before, after, mentioned)).toHaveLength(1);
  });
});

describe('deprecations', () => {
  it('every @deprecated field, argument and input field says why and what to use instead', () => {
    const bare: string[] = [];
    const schema = working();
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          const fieldArgs = 'args' in field ? field.args : [];
          for (const element of [field, ...fieldArgs]) {
            const reason = element.deprecationReason;
            if (reason !== null && reason !== undefined && (reason === DEFAULT_DEPRECATION_REASON || reason.trim().length < 20))
              bare.push(`${type.name}.${element.name}`);
          }
        }
      }
    }
    expect(bare).toEqual([]);
  });
});
