// The state key of a row's key fields, as a string. JSON.stringify of an array of the values was
// the costliest step of keyed SQL operators (a fresh array and a full serializer per record); here
// each value is written on its own and the tokens joined with ',': numbers as String(n), strings
// JSON-quoted, null/true/false as words, anything else as JSON. Tokens are self-delimiting (a
// number has no comma or quote, a string starts with a quote and escapes its own), so two
// different key tuples never share a key. Imports nothing.

function token(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** The key of a row's fields at `keys` (the empty string for no keys). */
export function rowKeySelector(keys: readonly number[]): (row: readonly unknown[]) => string {
  switch (keys.length) {
    case 0: return () => '';
    case 1: {
      const [a] = keys;
      // A string key repeats from row to row under skew (q15's one day): its quoted form is kept.
      let lastString: string | undefined;
      let lastToken = '';
      return (r) => {
        const v = r[a];
        if (typeof v !== 'string') return token(v);
        if (v !== lastString) { lastString = v; lastToken = JSON.stringify(v); }
        return lastToken;
      };
    }
    case 2: { const [a, b] = keys; return (r) => `${token(r[a])},${token(r[b])}`; }
    case 3: { const [a, b, c] = keys; return (r) => `${token(r[a])},${token(r[b])},${token(r[c])}`; }
    default: return (r) => keys.map((k) => token(r[k])).join(',');
  }
}

/** The key of a row's fields at `keys`, or undefined when one is NULL (a join key that matches nothing). */
export function joinKeyOf(row: readonly unknown[], keys: readonly number[]): string | undefined {
  let key = '';
  for (let i = 0; i < keys.length; i++) {
    const v = row[keys[i]];
    if (v === null || v === undefined) return undefined;
    key = i === 0 ? token(v) : `${key},${token(v)}`;
  }
  return key;
}
