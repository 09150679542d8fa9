// Raw access to a Deno KV database for tests, bypassing the project's KV adapter (which hides its
// chunk keys): the runtime's own client, `Deno.openKv` on Deno and `@deno/kv` on Node, opened on a
// file path or a KV Connect URL.

/** Counts the raw entries under `prefix` in the database at `pathOrUrl`. */
export async function rawCount(pathOrUrl: string, prefix: unknown[]): Promise<number> {
  type Raw = { list(s: { prefix: unknown[] }): AsyncIterable<unknown>; close(): void };
  const deno = (globalThis as { Deno?: { openKv(p: string): Promise<Raw> } }).Deno;
  const moduleName = '@deno/kv';
  const raw = deno ? await deno.openKv(pathOrUrl) : await ((await import(moduleName)) as { openKv(p: string): Promise<Raw> }).openKv(pathOrUrl);
  try {
    let n = 0;
    for await (const _ of raw.list({ prefix })) n++;
    return n;
  } finally {
    raw.close();
  }
}
