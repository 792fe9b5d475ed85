/**
 * Exact row counts of every ordinary table outside the system schemas, through a `pg` client.
 * At backup time they are counted inside the transaction whose snapshot pg_dump used, so they
 * are exactly the rows the archive holds; a drill counts the restored copy and compares.
 */
import type { Client } from 'pg';

export async function countRowsPerTable(client: Client): Promise<Record<string, number>> {
  const tables = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { schema, name } of tables.rows) {
    const quoted = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${quoted}`);
    counts[`${schema}.${name}`] = Number(result.rows[0].n);
  }
  return counts;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface CountMismatch {
  table: string;
  expected: number;
  restored: number | null;
}

export function compareRowCounts(expected: Readonly<Record<string, number>>, restored: Readonly<Record<string, number>>): CountMismatch[] {
  const mismatches: CountMismatch[] = [];
  for (const [table, count] of Object.entries(expected)) {
    const got = restored[table];
    if (got !== count) mismatches.push({ table, expected: count, restored: got ?? null });
  }
  return mismatches;
}
