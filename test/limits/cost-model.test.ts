import { describe, expect, it } from 'vitest';
import { MUTATION_BASE_COST } from '../../src/graphql/limits/operation-cost.js';
import { costOf, schemaWithCostDirectives, slicingErrors } from './cost-helpers.js';

// Issue 12 §4: the cost is declared in the SDL with the IBM GraphQL Cost Directives and computed as
// Apollo Router's demand control does (README "Limits"). Each row: an operation on a small schema,
// its variables, and its cost with the sum that gives it.
const schema = schemaWithCostDirectives(`
  type Query {
    item: Item
    heavy: Heavy
    tags: [String!]! @listSize(assumedSize: 50)
    items(first: Int, last: Int): [Item!]! @listSize(assumedSize: 7, slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
    exactlyOne(first: Int, last: Int): [Item!]! @listSize(slicingArguments: ["first", "last"])
    defaulted(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"])
    page(first: Int, after: String): ItemConnection! @listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    search(filter: Filter, ids: [ID!]): [Item!]! @listSize(assumedSize: 2)
    weighed(limit: Int @cost(weight: 4)): Item
  }
  type Mutation {
    touch(id: ID!): Item
    bulk(items: [Filter!]!): Item
  }
  type Item {
    id: ID!
    name: String!
    big: String @cost(weight: 4)
    kind: Kind!
    children: [Item!]! @listSize(assumedSize: 3)
  }
  type Heavy @cost(weight: 6) { id: ID! }
  enum Kind @cost(weight: 2) { A B }
  type ItemConnection { edges: [ItemEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type ItemEdge { cursor: String! node: Item! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  input Filter { name: String @cost(weight: 3) tags: [String!] }
`);

type Row = [what: string, query: string, variables: Record<string, unknown>, cost: number];

const weights: Row[] = [
  ['an object costs 1, its scalars 0', '{ item { id name } }', {}, 1],
  ['__typename costs 0', '{ item { __typename } a: __typename }', {}, 1],
  ["a field @cost replaces its type's 0", '{ item { big } }', {}, 1 + 4],
  ["an enum type's @cost applies to each field returning it", '{ item { kind } }', {}, 1 + 2],
  ["an object type's @cost replaces its 1", '{ heavy { id } }', {}, 6],
  ['a list of scalars costs 0 whatever its size', '{ tags }', {}, 0],
  ['a mutation starts at MUTATION_BASE_COST', 'mutation { touch(id: 1) { id } }', {}, MUTATION_BASE_COST + 1],
];

const slicing: Row[] = [
  ['the slicing argument sizes the list', '{ items(first: 4) { id } }', {}, 4 * 1],
  ['several given: the largest (requireOneSlicingArgument: false)', '{ items(first: 4, last: 9) { id } }', {}, 9 * 1],
  ['none given: assumedSize', '{ items { id } }', {}, 7 * 1],
  ['a literal null counts as not given', '{ items(first: null) { id } }', {}, 7 * 1],
  ['from a variable', 'query($n: Int) { items(first: $n) { id } }', { n: 11 }, 11 * 1],
  ['a variable not sent: assumedSize', 'query($n: Int) { items(first: $n) { id } }', {}, 7 * 1],
  ['a variable not sent: its default in the operation', 'query($n: Int = 6) { items(first: $n) { id } }', {}, 6 * 1],
  ["the argument's default in the SDL", '{ defaulted { id } }', {}, 5 * 1],
  ['a negative size counts 0', '{ items(first: -3) { id } }', {}, 0],
];

const sized: Row[] = [
  [
    'sizedFields: first sizes edges, the connection itself counts once',
    '{ page(first: 10) { edges { node { id } } totalCount pageInfo { hasNextPage } } }',
    {},
    1 + 10 * (1 + 1) + 1,
  ],
  ['sizedFields without first: assumedSize', '{ page { edges { cursor } } }', {}, 1 + 20 * 1],
  ['sizing passes through an inline fragment', '{ page(first: 10) { ... on ItemConnection { edges { node { id } } } } }', {}, 1 + 10 * 2],
  ['and through a named fragment', '{ page(first: 10) { ...P } } fragment P on ItemConnection { edges { node { id } } }', {}, 1 + 10 * 2],
  [
    'one fragment under two sizes is costed under each',
    '{ a: page(first: 2) { ...P } b: page(first: 3) { ...P } } fragment P on ItemConnection { edges { node { id } } }',
    {},
    1 + 2 * 2 + (1 + 3 * 2),
  ],
];

const nesting: Row[] = [
  ['nested lists multiply', '{ items(first: 2) { children { children { id } } } }', {}, 2 * (1 + 3 * (1 + 3 * 1))],
  ['weights inside lists multiply too', '{ page(first: 10) { edges { node { big kind } } } }', {}, 1 + 10 * (1 + (1 + 4 + 2))],
  ['a fragment costs where it is spread', '{ items(first: 2) { ...I } item { ...I } } fragment I on Item { big }', {}, 2 * (1 + 4) + (1 + 4)],
];

const skipped: Row[] = [
  ['@skip(if: true) costs nothing', '{ item { big @skip(if: true) } }', {}, 1],
  ['@include(if: false) from a variable costs nothing', 'query($s: Boolean!) { item { big @include(if: $s) } }', { s: false }, 1],
  ['@include(if: true) from a variable counts', 'query($s: Boolean!) { item { big @include(if: $s) } }', { s: true }, 1 + 4],
  ['a skipped fragment costs nothing', '{ items(first: 9) @skip(if: true) { id } item { ... @include(if: false) { big } } }', {}, 1],
];

const argumentRows: Row[] = [
  ['an input object costs 1, its fields their @cost', '{ search(filter: { name: "x" }) { id } }', {}, 2 * 1 + (1 + 3)],
  ['scalar arguments and lists of scalars cost 0', '{ search(ids: ["1", "2", "3"]) { id } }', {}, 2 * 1],
  ["an argument's @cost when given", '{ weighed(limit: 1) { id } }', {}, 1 + 4],
  ['from variables, as sent', 'query($f: Filter) { search(filter: $f) { id } }', { f: { name: 'x', tags: ['a', 'b'] } }, 2 + (1 + 3)],
  [
    'a list of input objects: each one',
    'mutation($items: [Filter!]!) { bulk(items: $items) { id } }',
    { items: Array.from({ length: 100 }, () => ({})) },
    MUTATION_BASE_COST + 1 + 100,
  ],
  [
    'an array nested deeper than the type adds nothing',
    'mutation($items: [Filter!]!) { bulk(items: $items) { id } }',
    { items: [[[{}]]] },
    MUTATION_BASE_COST + 1,
  ],
];

const introspection: Row[] = [
  ["introspection's lists (no @listSize) count once: their size is the schema's", '{ __schema { types { name fields { name } } } }', {}, 1 + 1 * (1 + 1 * 1)],
];

describe('the cost model (README "Limits")', () => {
  describe.each([
    ['weights', weights],
    ['slicingArguments and assumedSize', slicing],
    ['sizedFields', sized],
    ['nested lists and fragments', nesting],
    ['@skip and @include', skipped],
    ['arguments', argumentRows],
    ['introspection', introspection],
  ] as const)('%s', (_group, rows) => {
    it.each(rows)('%s', (_what, query, variables, cost) => {
      expect(costOf(schema, query, variables)).toBe(cost);
    });
  });

  it('a variable cannot make the cost infinite or negative', () => {
    const nested =
      '{ items(first: 2147483647) { children { children { children { children { children { children { children { children { children { id } } } } } } } } } } }';
    expect(costOf(schema, nested)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(costOf(schema, 'query($n: Int) { items(first: $n) { id } }', { n: 1e308 })).toBe(2_147_483_647);
    expect(costOf(schema, 'query($n: Int) { items(first: $n) { id } }', { n: 'ten' })).toBe(7);
  });

  it('a variable nested a hundred thousand arrays deep is costed without exhausting the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(costOf(schema, 'mutation($items: [Filter!]!) { bulk(items: $items) { id } }', { items: deep })).toBe(MUTATION_BASE_COST + 1);
  });
});

describe('requireOneSlicingArgument (true by default)', () => {
  it.each([
    [
      'none',
      '{ exactlyOne { id } }',
      ['Query.exactlyOne needs exactly one of the arguments "first", "last" to size its list; the operation gives none. Pass exactly one.'],
    ],
    [
      'two',
      '{ exactlyOne(first: 1, last: 2) { id } }',
      ['Query.exactlyOne needs exactly one of the arguments "first", "last" to size its list; the operation gives "first" and "last". Pass exactly one.'],
    ],
    [
      'a literal null only',
      '{ exactlyOne(first: null) { id } }',
      ['Query.exactlyOne needs exactly one of the arguments "first", "last" to size its list; the operation gives none. Pass exactly one.'],
    ],
  ])('giving %s is invalid', (_what, query, errors) => {
    expect(slicingErrors(schema, query)).toEqual(errors);
  });

  it.each([
    ['one literal', '{ exactlyOne(last: 3) { id } }'],
    ['one variable', 'query($n: Int) { exactlyOne(first: $n) { id } }'],
    ['one by its SDL default', '{ defaulted { id } }'],
    ['none where the directive sets it false', '{ items { id } page { totalCount } }'],
  ])('giving %s is valid', (_what, query) => {
    expect(slicingErrors(schema, query)).toEqual([]);
  });

  it('the one given sizes the list', () => {
    expect(costOf(schema, '{ exactlyOne(last: 3) { id } }')).toBe(3);
  });
});
