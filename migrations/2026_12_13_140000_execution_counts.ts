import { sql, type Kysely } from 'kysely';

// Issue 16 §4, counts that don't rescan: the totalCount of an execution list and of a trace's
// errors read counters kept as rows change, not a count(*) per request.
//
// execution_counts: an automation's executions by status, one row per automation (so that every
// write to it locks one row, and two transactions never take two in opposite orders). Kept by
// triggers rather than by the repository, because executions also go by cascade (an automation's
// or organization's deletion) and tests and operators change a status by hand: every path counts.
// Inserts and deletes count per statement (a cascade of 100,000 executions is one update); a
// status change per row, and only when the status changes, so the ingest's updates of
// span_count pay nothing.
//
// executions.error_span_count: the spans with status ERROR, kept beside span_count by the ingest
// and the pruning (src/modules/executions/spans.repository.ts, src/ingest/prune-traces.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('execution_counts')
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('running', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('succeeded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    // Organization first: an organization's list sums its automations' rows through this key.
    .addPrimaryKeyConstraint('execution_counts_pkey', ['organization_id', 'automation_id'])
    .addForeignKeyConstraint('execution_counts_automation_fkey', ['organization_id', 'automation_id'], 'automations', ['organization_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await sql`create function execution_counts_insert() returns trigger language plpgsql as $$
    begin
      insert into execution_counts as c (organization_id, automation_id, queued, running, succeeded, failed)
        select organization_id, automation_id, count(*) filter (where status = 'QUEUED'), count(*) filter (where status = 'RUNNING'),
          count(*) filter (where status = 'SUCCEEDED'), count(*) filter (where status = 'FAILED')
        from added group by organization_id, automation_id order by organization_id, automation_id
      on conflict (organization_id, automation_id) do update set queued = c.queued + excluded.queued, running = c.running + excluded.running,
        succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed;
      return null;
    end $$`.execute(db);
  await sql`create function execution_counts_delete() returns trigger language plpgsql as $$
    begin
      -- An automation deleted with its executions may have taken its row already: nothing to update then.
      update execution_counts c set queued = c.queued - g.queued, running = c.running - g.running, succeeded = c.succeeded - g.succeeded,
        failed = c.failed - g.failed
      from (select organization_id, automation_id, count(*) filter (where status = 'QUEUED') as queued, count(*) filter (where status = 'RUNNING') as running,
          count(*) filter (where status = 'SUCCEEDED') as succeeded, count(*) filter (where status = 'FAILED') as failed
        from removed group by organization_id, automation_id) g
      where c.organization_id = g.organization_id and c.automation_id = g.automation_id;
      return null;
    end $$`.execute(db);
  // Moves one execution from its old row and status to its new ones (the automation never changes
  // in practice; if it did, the count would follow it).
  await sql`create function execution_counts_update() returns trigger language plpgsql as $$
    begin
      update execution_counts set queued = queued - (old.status = 'QUEUED')::integer, running = running - (old.status = 'RUNNING')::integer,
        succeeded = succeeded - (old.status = 'SUCCEEDED')::integer, failed = failed - (old.status = 'FAILED')::integer
      where organization_id = old.organization_id and automation_id = old.automation_id;
      insert into execution_counts as c (organization_id, automation_id, queued, running, succeeded, failed)
        values (new.organization_id, new.automation_id, (new.status = 'QUEUED')::integer, (new.status = 'RUNNING')::integer,
          (new.status = 'SUCCEEDED')::integer, (new.status = 'FAILED')::integer)
      on conflict (organization_id, automation_id) do update set queued = c.queued + excluded.queued, running = c.running + excluded.running,
        succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed;
      return null;
    end $$`.execute(db);
  await sql`create trigger executions_count_insert after insert on executions referencing new table as added
    for each statement execute function execution_counts_insert()`.execute(db);
  await sql`create trigger executions_count_delete after delete on executions referencing old table as removed
    for each statement execute function execution_counts_delete()`.execute(db);
  await sql`create trigger executions_count_update after update of status, automation_id, organization_id on executions for each row
    when ((old.status, old.automation_id, old.organization_id) is distinct from (new.status, new.automation_id, new.organization_id))
    execute function execution_counts_update()`.execute(db);
  // The executions of before, counted after the triggers exist: creating them locked executions
  // against writes until the migrations commit (one transaction), so no run is missed or counted twice.
  await sql`insert into execution_counts (organization_id, automation_id, queued, running, succeeded, failed)
    select organization_id, automation_id, count(*) filter (where status = 'QUEUED'), count(*) filter (where status = 'RUNNING'),
      count(*) filter (where status = 'SUCCEEDED'), count(*) filter (where status = 'FAILED')
    from executions group by organization_id, automation_id`.execute(db);

  await db.schema
    .alterTable('executions')
    .addColumn('error_span_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update executions e set error_span_count = t.n
    from (select execution_id, count(*)::integer as n from spans where status_code = 2 group by execution_id) t
    where e.id = t.execution_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').dropColumn('error_span_count').execute();
  await sql`drop trigger executions_count_update on executions`.execute(db);
  await sql`drop trigger executions_count_delete on executions`.execute(db);
  await sql`drop trigger executions_count_insert on executions`.execute(db);
  await sql`drop function execution_counts_update()`.execute(db);
  await sql`drop function execution_counts_delete()`.execute(db);
  await sql`drop function execution_counts_insert()`.execute(db);
  await db.schema.dropTable('execution_counts').execute();
}
