import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { FeatureColumns } from '../../authz/features.js';

export type RoleKind = 'OWNER' | 'MEMBER' | 'CUSTOM';
export type RoleTemplate = 'DEVELOPER' | 'VIEWER' | 'OPS';

/** One column per feature (SPEC §2), each checked against the feature's allowed levels. */
export interface RolesTable extends FeatureColumns {
  id: Generated<string>;
  organizationId: number;
  name: string;
  kind: RoleKind;
  description: Generated<string>;
  template: RoleTemplate | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type RoleRow = Selectable<RolesTable>;
export type NewRole = Insertable<RolesTable>;
export type RoleUpdate = Updateable<RolesTable>;
