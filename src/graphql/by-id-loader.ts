import DataLoader from 'dataloader';

/**
 * A request-scoped DataLoader over a repository's `findByIds`: one query per tick for every id
 * asked for, answered in the order asked, `null` for ids that do not exist.
 */
export function byIdLoader<K extends string | number, T extends { id: K }>(findByIds: (ids: readonly K[]) => Promise<T[]>): DataLoader<K, T | null> {
  return new DataLoader<K, T | null>(async (ids) => {
    const rows = await findByIds(ids);
    const byId = new Map<K, T>(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * For references the database guarantees (foreign keys): a missing row means it was deleted
 * while the request ran, an internal error rather than the caller's NOT_FOUND.
 */
export async function mustLoad<K extends string | number, T>(loader: DataLoader<K, T | null>, id: K, what: string): Promise<T> {
  const row = await loader.load(id);
  if (row === null) throw new Error(`${what} ${String(id)} was deleted while the request ran.`);
  return row;
}
