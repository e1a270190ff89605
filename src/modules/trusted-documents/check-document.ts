import { GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { LimitsConfig } from '../../config.js';
import { isStorableText } from '../../db/storable-text.js';
import { LimitCode, LimitError, limitValidationRules } from '../../graphql/limits/index.js';
import { fragmentsOf, operationCost } from '../../graphql/limits/operation-cost.js';

/** Why the gateway would refuse a document: the `extensions.code` it would answer, and what is wrong (naming the code). */
export interface DocumentRefusal {
  code: string;
  problem: string;
}

const refusal = (code: string, problem: string): DocumentRefusal => ({ code, problem: `${problem} (the gateway answers ${code})` });

export type DocumentCheck = { ok: true; operationName: string | null } | { ok: false; refusals: DocumentRefusal[] };

// Enough to fix the first mistakes; a document with more is better regenerated than read.
const MAX_REPORTED = 3;

// The setting behind each limit (README "Limits"): what an operator would raise instead of
// changing the operation.
const LIMIT_SETTING: Partial<Record<string, string>> = {
  [LimitCode.QUERY_TOO_DEEP]: 'MAX_QUERY_DEPTH',
  [LimitCode.TOO_MANY_ALIASES]: 'MAX_QUERY_ALIASES',
  [LimitCode.TOO_MANY_DIRECTIVES]: 'MAX_QUERY_DIRECTIVES',
  [LimitCode.TOO_MANY_TOKENS]: 'MAX_QUERY_TOKENS',
  [LimitCode.QUERY_TOO_COMPLEX]: 'MAX_QUERY_COST',
};

function describe(errors: readonly GraphQLError[]): string {
  const shown = errors.slice(0, MAX_REPORTED).map((error) => {
    const at = error.locations?.[0];
    return at ? `${error.message} (line ${at.line}, column ${at.column})` : error.message;
  });
  const more = errors.length > MAX_REPORTED ? ` (and ${errors.length - MAX_REPORTED} more)` : '';
  return shown.join('; ') + more;
}

function overLimit(code: string, message: string): DocumentRefusal {
  const setting = LIMIT_SETTING[code];
  const raise = setting ? ` Change the operation, or raise ${setting} on the gateway; this command reads it from its environment, as the gateway does` : '';
  return refusal(code, `it is over the gateway's limits: ${message}${raise}`);
}

/** The document's operations over `maxCost`, each costed with its variables' defaults, as a request sending no variables. */
function costRefusals(schema: GraphQLSchema, document: DocumentNode, maxCost: number): DocumentRefusal[] {
  const fragments = fragmentsOf(document);
  return document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
    const cost = operationCost(schema, definition, fragments, {});
    if (cost <= maxCost) return [];
    const name = definition.name ? `Operation ${definition.name.value}` : 'The anonymous operation';
    return [
      overLimit(
        LimitCode.QUERY_TOO_COMPLEX,
        `${name} costs ${cost} with its variables' defaults; the limit is ${maxCost}. Ask for smaller pages, fewer nested lists or fewer large fields.`,
      ),
    ];
  });
}

/**
 * Whether a document may be registered, decided as the gateway would decide each request for it:
 * it parses within the token limit, passes the GraphQL specification's validation against the
 * gateway's schema (the full one, before authorization: what a caller may reach is decided per
 * request) and the limits' rules (depth, aliases, directives), and costs no more than the cost
 * limit. Registering a document that can never run would only hide the mistake until a user meets
 * it; each refusal carries the code the gateway would answer.
 */
export function checkDocument(schema: GraphQLSchema, text: string, limits: LimitsConfig): DocumentCheck {
  if (!isStorableText(text)) {
    return { ok: false, refusals: [refusal('GRAPHQL_PARSE_FAILED', 'it contains a NUL character or an unpaired surrogate, which no GraphQL document has')] };
  }
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof GraphQLError) return { ok: false, refusals: [refusal('GRAPHQL_PARSE_FAILED', `it does not parse: ${describe([error])}`)] };
    throw error;
  }
  // The gateway parses with the token limit (Apollo's parseOptions); parsing again with it tells
  // "too many tokens" from a syntax error without reading graphql-js's message.
  try {
    parse(text, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return {
      ok: false,
      refusals: [overLimit(LimitCode.TOO_MANY_TOKENS, `The document has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens}.`)],
    };
  }
  // The same rules, in the same order, as Apollo runs: graphql-js's, then the limits'.
  const errors = validate(schema, document, [...specifiedRules, ...limitValidationRules(limits)]);
  const invalid = errors.filter((error) => !(error instanceof LimitError));
  const refusals: DocumentRefusal[] = [];
  if (invalid.length > 0) refusals.push(refusal('GRAPHQL_VALIDATION_FAILED', `it is not valid against the gateway's schema: ${describe(invalid)}`));
  for (const error of errors) {
    if (error instanceof LimitError) refusals.push(overLimit(error.code, error.message));
  }
  // Costing needs a valid document (known fields, no fragment cycles).
  if (refusals.length === 0) refusals.push(...costRefusals(schema, document, limits.maxCost));
  if (refusals.length > 0) return { ok: false, refusals };
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : []));
  return { ok: true, operationName: names.length > 0 ? names.join(', ') : null };
}
