// SQL text for PostgresSink: quoted identifiers, the multi-row INSERT (or upsert by primary key)
// of one batch, and the check that a table and its columns exist. Pure functions.

/** A quoted identifier; `schema.table` is quoted part by part. */
export function quoteName(name: string): string {
  return name.split('.').map((part) => `"${part.replace(/"/g, '""')}"`).join('.');
}

/** Rows per statement: at most `batchSize`, and at most PostgreSQL's 65,535 bind parameters. */
export function rowsPerStatement(batchSize: number, columns: number): number {
  return Math.max(1, Math.min(batchSize, Math.floor(65_535 / columns)));
}

/**
 * `INSERT INTO table (columns) VALUES ($1, ...), ...` for `rows` rows; with `key`, an upsert that
 * replaces the other columns of a row whose key exists (idempotent: writing a row twice leaves one).
 */
export function insertStatement(table: string, columns: readonly string[], key: readonly string[] | undefined, rows: number): string {
  const n = columns.length;
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    const params: string[] = [];
    for (let c = 1; c <= n; c++) params.push(`$${r * n + c}`);
    values.push(`(${params.join(', ')})`);
  }
  let sql = `INSERT INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) VALUES ${values.join(', ')}`;
  if (key !== undefined && key.length > 0) {
    const rest = columns.filter((c) => !key.includes(c));
    sql += ` ON CONFLICT (${key.map(quoteName).join(', ')}) `;
    sql += rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${quoteName(c)} = EXCLUDED.${quoteName(c)}`).join(', ')}`;
  }
  return sql;
}

/** `DELETE FROM table WHERE (key) IN (($1, ...), ...)` for `rows` keys. */
export function deleteStatement(table: string, key: readonly string[], rows: number): string {
  const n = key.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const params: string[] = [];
    for (let c = 1; c <= n; c++) params.push(`$${r * n + c}`);
    tuples.push(`(${params.join(', ')})`);
  }
  return `DELETE FROM ${quoteName(table)} WHERE (${key.map(quoteName).join(', ')}) IN (${tuples.join(', ')})`;
}

/** The columns of `table` (schema-qualified or on the search path), or none when it does not exist. */
export function columnsQuery(table: string): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT a.attname AS name FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    params: [quoteName(table)],
  };
}

/** The key columns of the unique constraints and primary key of `table`, one array per constraint. */
export function uniqueKeysQuery(table: string): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = to_regclass($1) AND i.indisunique GROUP BY i.indexrelid`,
    params: [quoteName(table)],
  };
}
