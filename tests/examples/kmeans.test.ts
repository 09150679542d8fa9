// The k-means example against a plain loop over seeded random 2-D points around a few centres,
// at parallelism 1 and 3. The runtime sums each cluster's points in the order they reach its
// reduce, the plain loop in array order; float addition is not associative, so the centroids are
// compared within 1e-9 (the assignments they lead to are the same, as the second check shows).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Centroid, kMeans, nearest } from '../../examples/kmeans.ts';
import { Random, testSeed } from '../support/random.ts';

function plainKMeans(points: ReadonlyArray<readonly [number, number]>, initial: readonly Centroid[], iterations: number): Centroid[] {
  let c = initial.map((x): Centroid => [x[0], x[1], x[2]]);
  for (let s = 0; s < iterations; s++) {
    const sx = new Array<number>(c.length).fill(0), sy = [...sx], n = [...sx];
    for (const [x, y] of points) { const i = nearest(c, x, y); sx[i] += x; sy[i] += y; n[i]++; }
    c = c.map(([id, x, y], i): Centroid => (n[i] === 0 ? [id, x, y] : [id, sx[i] / n[i], sy[i] / n[i]]));
  }
  return c;
}

test('k-means equals a plain loop over seeded random points', async () => {
  const seed = testSeed('kmeans-example');
  const rnd = new Random(seed);
  const k = 4;
  const centres = Array.from({ length: k }, () => [rnd.next() * 100, rnd.next() * 100]);
  const points = Array.from({ length: 400 }, (): [number, number] => {
    const [cx, cy] = centres[rnd.int(0, k - 1)];
    return [cx + (rnd.next() - 0.5) * 30, cy + (rnd.next() - 0.5) * 30];
  });
  // Initial centroids: k of the points (plus one far away that no point chooses, which must stay put).
  const initial: Centroid[] = [...Array.from({ length: k }, (_, i): Centroid => [i, points[i][0], points[i][1]]), [k, 1e6, 1e6]];
  const expected = plainKMeans(points, initial, 10);
  for (const p of [1, 3]) {
    const got = await kMeans(points, initial, 10, p);
    assert.is(got.length, expected.length, `seed ${seed}, p=${p}`);
    got.forEach((c, i) => {
      assert.is(c[0], expected[i][0]);
      assert.ok(Math.abs(c[1] - expected[i][1]) < 1e-9 && Math.abs(c[2] - expected[i][2]) < 1e-9, `seed ${seed}, p=${p}, centroid ${i}: ${c} vs ${expected[i]}`);
    });
    assert.equal(got[k], [k, 1e6, 1e6], 'a centroid no point chose keeps its place');
    assert.equal(points.map(([x, y]) => nearest(got, x, y)), points.map(([x, y]) => nearest(expected, x, y)), `seed ${seed}, p=${p}: assignments`);
  }
});

test.run();
