// The geometric-median certificate (docs/PROTOCOL.md "The geometric-median certificate"), TypeScript side:
// Weiszfeld's weights are always accepted, whatever the means, their number and size; a candidate moved
// off the median is refused; attackers in a minority cannot drag the certified median out of the honest
// cluster; and the aggregate the weights define is exactly trunc(Σ w_k · mean_k / W).
import { expect } from "chai";
import fc from "fast-check";
import { MAX_GRAM_GROUPS, aggregateGroupSums, certifyGeoMedian, geoMedianWeights, gramMatrix, isqrt, seededRng, weightedAggregate } from "../../src/protocol";

/** Groups' means: `honest` around a common point, `far` at distance ~`offset`, in d lanes. */
function cluster(seed: number, honest: number, far: number, d: number, spread: number, offset: number): Int32Array[] {
  const rng = seededRng(seed);
  const centre = Array.from({ length: d }, () => Math.round((rng() - 0.5) * 4 * spread));
  return Array.from({ length: honest + far }, (_, k) =>
    Int32Array.from(centre, (c, i) => c + Math.round((rng() - 0.5) * spread) + (k >= honest ? (i % 2 ? offset : -offset) : 0)),
  );
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe("protocol/geoMedian", () => {
  it("takes floor square roots exactly", () => {
    expect([0n, 1n, 2n, 3n, 4n, 15n, 16n, 2n ** 158n - 1n, 2n ** 158n].map(isqrt)).to.deep.equal([0n, 1n, 1n, 1n, 2n, 3n, 4n, 2n ** 79n - 1n, 2n ** 79n]);
  });

  it("fuzz: Weiszfeld's weights are accepted for any means, group count and scale", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_GRAM_GROUPS }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(1, 30, 3000, 2 ** 30),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (e, d, scale, duplicates, seed) => {
          const rng = seededRng(seed);
          const means = Array.from({ length: e }, () => Int32Array.from({ length: d }, () => Math.round((rng() - 0.5) * scale)));
          for (let k = 1; k <= Math.min(duplicates, e - 1); k++) means[k] = means[0];
          const gram = gramMatrix(means);
          const weights = geoMedianWeights(gram);
          expect(certifyGeoMedian(gram, weights).accepted).to.equal(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a candidate at an attacker's mean, or pulled halfway towards it", () => {
    const means = cluster(1, 4, 1, 32, 1000, 20000);
    const gram = gramMatrix(means);
    const weights = geoMedianWeights(gram);
    expect(certifyGeoMedian(gram, weights).accepted).to.equal(true);
    expect(certifyGeoMedian(gram, [0, 0, 0, 0, 1]).accepted).to.equal(false);
    const pulled = weights.map((w, k) => (k === 4 ? 2 ** 32 - 1 : Math.floor(w / 4)));
    const c = certifyGeoMedian(gram, pulled);
    expect(c.accepted).to.equal(false);
    expect(c.gradientSq > c.limitSq).to.equal(true);
  });

  it("keeps the certified median inside the honest cluster when a minority of groups is anywhere", () => {
    for (const [honest, far, offset] of [
      [3, 2, 1e6],
      [4, 3, 5e4],
      [5, 4, 2e8],
      [9, 7, 1e5],
    ]) {
      const means = cluster(honest * 7 + far, honest, far, 64, 1000, offset);
      const weights = geoMedianWeights(gramMatrix(means));
      const z = new Int32Array(weightedAggregate(means, weights).buffer);
      const radius = Math.max(...means.slice(0, honest).map((m) => distance(m, means[0])));
      // Within a few honest spreads of an honest mean, while the attackers sit ~offset · √64 away.
      expect(distance(z, means[0])).to.be.below(4 * radius + 1);
    }
  });

  it("certifies a median that sits at one of the means by that mean's weight alone", () => {
    const means = [
      [0, 0],
      [100, 0],
      [-100, 0],
      [0, 100],
      [30, -90],
    ].map((v) => Int32Array.from(v));
    const gram = gramMatrix(means);
    expect(certifyGeoMedian(gram, [7, 0, 0, 0, 0]).accepted).to.equal(true);
    const weights = geoMedianWeights(gram);
    expect(certifyGeoMedian(gram, weights).accepted).to.equal(true);
    expect(Array.from(new Int32Array(weightedAggregate(means, weights).buffer))).to.deep.equal([0, 0]);
  });

  it("computes the weighted aggregate exactly, beyond a double's exact range", () => {
    const means = [Int32Array.from([2 ** 31 - 1, -(2 ** 31), 7]), Int32Array.from([2 ** 31 - 1, -(2 ** 31), -7]), Int32Array.from([-5, 5, 0])];
    const weights = [2 ** 32 - 1, 2 ** 32 - 2, 3];
    const total = BigInt(weights.reduce((a, b) => a + b, 0));
    const expected = [0, 1, 2].map((i) => Number(means.reduce((s, m, k) => s + BigInt(weights[k]) * BigInt(m[i]), 0n) / total));
    expect(Array.from(new Int32Array(weightedAggregate(means, weights).buffer))).to.deep.equal(expected);
    expect(() => weightedAggregate(means, [0, 0, 0])).to.throw(/sum to zero/);
    expect(() => certifyGeoMedian(gramMatrix(means), [1, 2])).to.throw(/gram/);
    expect(() => certifyGeoMedian(gramMatrix(means), [1, 2, 2 ** 32])).to.throw(/weights\[2\]/);
  });

  it("rules a round by the groups within the norm bound only, and scores each against the certified median", () => {
    const means = cluster(5, 3, 0, 16, 100, 0);
    means.push(means[0].map((v) => v * 1000));
    const sums = means.map((m) => ({ submitters: 3, sum: new Uint32Array(m.map((v) => 3 * v).buffer) }));
    // Per-submitter slack of 20000: the honest sums' norms are a few thousand, the scaled one millions.
    const r = aggregateGroupSums(sums, { rule: "geomedian" }, 40000n, 0n, { normSlack: 20000n, chunkLanes: 8, minGroups: 3 });
    expect(r.excludedAt.map((c) => c === Infinity)).to.deep.equal([true, true, true, false]);
    const weights = geoMedianWeights(gramMatrix(means.slice(0, 3)));
    expect(r.weights).to.deep.equal(weights);
    expect(r.aggregate).to.deep.equal(weightedAggregate(means.slice(0, 3), weights));
    expect(r.dists[3]).to.equal(0n);
    expect(r.inliers).to.deep.equal([true, true, true, false]);
  });
});
