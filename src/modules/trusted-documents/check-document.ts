import { GraphQLError, Kind, parse, validate, type GraphQLSchema } from 'graphql';
import { isStorableText } from '../../db/storable-text.js';

export type DocumentCheck = { ok: true; operationName: string | null } | { ok: false; problem: string };

// Enough to fix the first mistakes; a document with more is better regenerated than read.
const MAX_REPORTED = 3;

function describe(errors: readonly GraphQLError[]): string {
  const shown = errors.slice(0, MAX_REPORTED).map((error) => {
    const at = error.locations?.[0];
    return at ? `${error.message} (line ${at.line}, column ${at.column})` : error.message;
  });
  const more = errors.length > MAX_REPORTED ? ` (and ${errors.length - MAX_REPORTED} more)` : '';
  return shown.join('; ') + more;
}

/**
 * Whether a document may be registered: it parses and passes the GraphQL specification's
 * validation against the gateway's schema (the full one, before authorization: what a caller may
 * reach is decided per request). Registering a document that can never run would only hide the
 * mistake until a user meets it.
 */
export function checkDocument(schema: GraphQLSchema, text: string): DocumentCheck {
  if (!isStorableText(text)) return { ok: false, problem: 'it contains a NUL character or an unpaired surrogate, which no GraphQL document has' };
  let document;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof GraphQLError) return { ok: false, problem: `it does not parse: ${describe([error])}` };
    throw error;
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { ok: false, problem: `it is not valid against the gateway's schema: ${describe(errors)}` };
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : []));
  return { ok: true, operationName: names.length > 0 ? names.join(', ') : null };
}
