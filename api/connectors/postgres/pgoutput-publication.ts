// The publication a pgoutput slot is read with: created if missing (FOR TABLE the source's tables,
// publishing inserts, updates and deletes), or checked when it exists. pgoutput looks publications
// up as of each change it decodes, so a slot must not be older than its publication (decoding its
// earlier changes fails with "publication ... does not exist") and a table added to a publication
// after the slot was created has its changes in between silently left out. Hence: the publication
// is created or extended only before the slot is created; for an existing slot it is only checked.
// Imports pg only.
import type pg from 'pg';
import { quoteName } from './postgres-statements.ts';

/** A table of the source, resolved in the catalog. */
export interface ResolvedTable { readonly given: string; readonly schema: string; readonly name: string }

/** Creates or checks `publication` for `tables` (undefined: whatever the existing publication publishes). */
export async function ensurePublication(client: pg.Client, publication: string, tables: readonly ResolvedTable[] | undefined, slotExists: boolean): Promise<void> {
  let pub = await publicationOf(client, publication);
  if (pub === undefined) {
    if (slotExists) throw new Error(`publication '${publication}' does not exist, and the slot does: the slot's changes from before the publication cannot be decoded with it (create the publication, then drop and recreate the slot)`);
    if (!tables || tables.length === 0) throw new Error(`publication '${publication}' does not exist, and creating it needs the tables to publish (option tables)`);
    const list = tables.map((t) => quoteName(`${t.schema}.${t.name}`)).join(', ');
    try {
      await client.query(`CREATE PUBLICATION ${quoteName(publication)} FOR TABLE ${list} WITH (publish = 'insert, update, delete')`);
      return;
    } catch (error) {
      // Another source created it at the same time: check it as an existing one.
      if ((error as { code?: string }).code !== '42710') throw new Error(`creating publication '${publication}' failed: ${(error as Error).message}`, { cause: error });
      pub = await publicationOf(client, publication);
      if (pub === undefined) throw error;
    }
  }
  const missing = ['insert', 'update', 'delete'].filter((a) => !pub![a as 'insert' | 'update' | 'delete']);
  if (missing.length > 0) throw new Error(`publication '${publication}' does not publish ${missing.join(', ')}, which the changelog needs (ALTER PUBLICATION ${publication} SET (publish = 'insert, update, delete'))`);
  if (pub.allTables) return;
  for (const t of tables ?? []) {
    const { rows } = await client.query('SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3', [publication, t.schema, t.name]);
    if (rows.length > 0) continue;
    if (slotExists) throw new Error(`publication '${publication}' does not publish table "${t.given}", and the slot exists already: changes since the slot was created would be missing (ALTER PUBLICATION ${publication} ADD TABLE ${t.given}, then drop and recreate the slot)`);
    await client.query(`ALTER PUBLICATION ${quoteName(publication)} ADD TABLE ${quoteName(`${t.schema}.${t.name}`)}`).catch((error: Error & { code?: string }) => {
      if (error.code !== '42710') throw new Error(`adding table "${t.given}" to publication '${publication}' failed: ${error.message}`, { cause: error });
    });
  }
}

async function publicationOf(client: pg.Client, publication: string): Promise<{ allTables: boolean; insert: boolean; update: boolean; delete: boolean } | undefined> {
  const { rows } = await client.query<{ all: boolean; ins: boolean; upd: boolean; del: boolean }>(
    'SELECT puballtables AS all, pubinsert AS ins, pubupdate AS upd, pubdelete AS del FROM pg_publication WHERE pubname = $1', [publication]);
  return rows.length === 0 ? undefined : { allTables: rows[0].all, insert: rows[0].ins, update: rows[0].upd, delete: rows[0].del };
}
