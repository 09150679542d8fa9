// DATE_FORMAT compiled once per pattern and reusing the text of the last day, hour, minute or
// second it formatted: against a direct formatting of each time (a plain loop over the pattern's
// letters), on seeded random times that mostly move forward within a unit and sometimes jump.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDate, scalarRuntime } from '../../../../api/table/functions/scalar-runtime.ts';
import { Random, testSeed } from '../../../support/random.ts';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Each letter run of SimpleDateFormat formatted from the date's UTC fields, quoted text kept. */
function reference(ms: number, format: string): string {
  const d = new Date(ms);
  const fields: Record<string, string> = {
    yyyy: pad(d.getUTCFullYear(), 4), yy: pad(d.getUTCFullYear() % 100, 2), MM: pad(d.getUTCMonth() + 1, 2), M: String(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate(), 2), d: String(d.getUTCDate()), HH: pad(d.getUTCHours(), 2), H: String(d.getUTCHours()),
    hh: pad(d.getUTCHours() % 12 || 12, 2), h: String(d.getUTCHours() % 12 || 12), mm: pad(d.getUTCMinutes(), 2), m: String(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds(), 2), s: String(d.getUTCSeconds()), SSS: pad(d.getUTCMilliseconds(), 3), a: d.getUTCHours() < 12 ? 'AM' : 'PM',
  };
  let out = '';
  for (let i = 0; i < format.length;) {
    if (format[i] === "'") { const j = format.indexOf("'", i + 1); out += format.slice(i + 1, j); i = j + 1; continue; }
    const token = ['yyyy', 'SSS', 'yy', 'MM', 'dd', 'HH', 'hh', 'mm', 'ss', 'M', 'd', 'H', 'h', 'm', 's', 'a'].find((t) => format.startsWith(t, i));
    if (token === undefined) { out += format[i++]; continue; }
    out += fields[token];
    i += token.length;
  }
  return out;
}

const PATTERNS = ['yyyy-MM-dd', 'HH:mm', 'yyyy-MM-dd HH:mm:ss', "yy/M/d 'at' h a", 'mm:ss.SSS', 'dd.MM.yyyy HH', "'day' d", 'yyyy-MM-ddTHH:mm:ss'];

test('DATE_FORMAT reusing its last unit formats every time as a direct formatting does', () => {
  const seed = testSeed('date-format');
  const random = new Random(seed);
  let t = Date.UTC(2024, 0, 1) + random.int(0, 1e9);
  for (let i = 0; i < 20_000; i++) {
    // Mostly small steps forward (within a unit), sometimes a jump either way across units.
    t += random.chance(0.9) ? random.int(0, 700) : random.int(-3 * 86_400_000, 3 * 86_400_000);
    const format = PATTERNS[random.chance(0.8) ? i % 2 : random.int(0, PATTERNS.length - 1)];
    assert.is(formatDate(t, format), reference(t, format), `seed ${seed}: ${t} as ${format}`);
  }
  assert.is(scalarRuntime.dateFormat(null, 'yyyy'), null);
  assert.is(scalarRuntime.dateFormat(Date.UTC(1969, 11, 31, 23, 59, 59, 999), 'yyyy-MM-dd HH:mm:ss.SSS'), '1969-12-31 23:59:59.999');
});

test.run();
