// The windowed-clicks example: window counts and inactivity alerts against a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { click, windowedClicks } from '../../examples/windowed-clicks.ts';

test('per-user 10 s window counts and the inactivity alert equal a plain computation', async () => {
  const n = 100;
  const counts = new Map<string, number>();
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = click(i);
    const start = Math.floor(c.ts / 10_000) * 10_000;
    const k = `${c.user} [${start / 1000}s, ${(start + 10_000) / 1000}s)`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    last.set(c.user, c.ts);
  }
  const expectedWindows = [...counts].map(([k, v]) => `${k}: ${v} clicks`).sort();
  const expectedAlerts = [...last].filter(([, ts]) => ts + 30_000 < n * 1000).map(([u, ts]) => `${u} went quiet at ${(ts + 30_000) / 1000}s`).sort();
  const { windows, alerts } = await windowedClicks(n);
  assert.equal(windows, expectedWindows);
  assert.equal(alerts, expectedAlerts);
  assert.equal(alerts, ['user-4 went quiet at 69s']);
});

test.run();
