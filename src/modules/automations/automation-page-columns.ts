import type { GraphQLResolveInfo } from 'graphql';
import type { RawBuilder } from 'kysely';

/**
 * A value another module reads with each row of Organization.automations, in the page's own
 * statement, when the request selects what needs it: the cards' run counts
 * (src/modules/executions/index.ts). One subquery per row by primary key costs the database
 * next to nothing; a statement of its own cost the automations screen 10% on PGlite. The module
 * that owns the value writes its SQL (over its own tables, correlated with `automations`) and
 * reads it back from the row (`pageColumnOf`); this module knows neither.
 */
export interface AutomationPageColumn {
  /** The row property the value arrives in. */
  name: string;
  /** Whether this request needs it: `info` is Organization.automations'. */
  wanted(info: GraphQLResolveInfo): boolean;
  /** A scalar subquery correlated with the row of `automations`. */
  column: RawBuilder<unknown>;
}

const columns: AutomationPageColumn[] = [];

/** Called once by the module that owns the value, where it is defined. */
export function extendAutomationPages(column: AutomationPageColumn): void {
  if (columns.some((existing) => existing.name === column.name)) throw new Error(`the automation page column ${column.name} is defined twice`);
  columns.push(column);
}

export function automationPageColumns(info: GraphQLResolveInfo): AutomationPageColumn[] {
  return columns.filter((column) => column.wanted(info));
}

/** The value of `name` that the page read with `row`, or undefined when it was not read. */
export function pageColumnOf(row: object, name: string): unknown {
  return Object.hasOwn(row, name) ? Reflect.get(row, name) : undefined;
}
