import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

export type ToolKind = 'HTTP' | 'PYTHON' | 'MCP' | 'BUILTIN';

export interface ToolsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  description: Generated<string>;
  kind: ToolKind;
  config: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type ToolRow = Selectable<ToolsTable>;
export type NewTool = Insertable<ToolsTable>;
