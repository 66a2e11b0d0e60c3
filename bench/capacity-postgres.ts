// The sizes of PostgreSQL tables after a capacity run: rows, heap, TOAST, and each index, read once the
// table is vacuumed and analysed (so the row count is exact and the visibility map is written).
import type { Client } from 'pg';

export interface TableSizes {
  readonly table: string;
  readonly rows: number;
  readonly heapBytes: number;
  readonly toastBytes: number;
  readonly indexBytes: number;
  readonly totalBytes: number;
  readonly indexes: { readonly name: string; readonly bytes: number }[];
}

export async function measureTables(db: Client, tables: readonly string[]): Promise<TableSizes[]> {
  const sizes: TableSizes[] = [];
  for (const table of tables) {
    // The names are the schema's own, never input.
    await db.query(`VACUUM ANALYZE ${table}`);
    const { rows } = await db.query<{ rows: string; heap: string; total: string; indexes: string }>(
      `SELECT (SELECT count(*) FROM ${table}) AS rows,
              pg_relation_size($1::regclass) AS heap,
              pg_indexes_size($1::regclass) AS indexes,
              pg_total_relation_size($1::regclass) AS total`,
      [table],
    );
    const indexes = await db.query<{ name: string; bytes: string }>(
      `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes
         FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
      [table],
    );
    const [r] = rows;
    const heapBytes = Number(r.heap);
    const indexBytes = Number(r.indexes);
    const totalBytes = Number(r.total);
    sizes.push({
      table,
      rows: Number(r.rows),
      heapBytes,
      indexBytes,
      // What is neither heap nor index: the TOAST table and its index, and the free-space and visibility maps.
      toastBytes: totalBytes - heapBytes - indexBytes,
      totalBytes,
      indexes: indexes.rows.map((i) => ({ name: i.name, bytes: Number(i.bytes) })),
    });
  }
  return sizes;
}
