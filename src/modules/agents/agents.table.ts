import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface AgentsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  role: Generated<string>;
  goal: Generated<string>;
  backstory: Generated<string>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type AgentRow = Selectable<AgentsTable>;
export type NewAgent = Insertable<AgentsTable>;
