// The norm bound on group sums (docs/PROTOCOL.md "The norm bound"), TypeScript side: its slack, the chunk it
// fires in, and the property the contract relies on — a group of honest members, each clipping and
// quantizing as the worker does, is never over it, whatever their data, group size and rounding draws.
import { expect } from "chai";
import fc from "fast-check";
import { addLanes, aggregateGroupSums, ceilSqrt, normSlack, overBoundChunks, quantize, seededRng, type GroupSum } from "../../src/protocol";

const u32 = (values: number[]) => Uint32Array.from(values.map((v) => v >>> 0));

describe("protocol/normBound", () => {
  it("takes ceil(√d) exactly, at squares and next to them", () => {
    expect([0, 1, 2, 4, 5, 20, 25, 26, 2 ** 21].map(ceilSqrt)).to.deep.equal([0, 1, 2, 2, 3, 5, 5, 6, 1449]);
    expect(normSlack(100, 20)).to.equal(105n);
    expect(() => ceilSqrt(-1)).to.throw(/x/);
  });

  it("puts a group whose Σ sum² equals (m · slack)² within the bound and one more over it", () => {
    const bound = { normSlack: 105n, chunkLanes: 8, minGroups: 3 };
    expect(overBoundChunks([{ submitters: 3, sum: u32([315, 0, 0, 0]) }], bound)).to.deep.equal([Infinity]);
    expect(overBoundChunks([{ submitters: 3, sum: u32([-316, 0, 0, 0]) }], bound)).to.deep.equal([0]);
    // 3² · 105² = 99225 = 189² + 252²: exactly on the bound across two lanes.
    expect(overBoundChunks([{ submitters: 3, sum: u32([189, 252]) }], bound)).to.deep.equal([Infinity]);
  });

  it("adds the squares chunk by chunk and names the chunk that goes over", () => {
    const bound = { normSlack: 10n, chunkLanes: 2, minGroups: 1 };
    // m = 1: limit 100. Chunk 0: 36 + 36 = 72; chunk 1 adds 25 → 97; chunk 2 adds 4 → 101.
    expect(overBoundChunks([{ submitters: 1, sum: u32([6, -6, 5, 0, 2, 0]) }], bound)).to.deep.equal([2]);
  });

  it("excludes a group from the chunk it goes over in, and voids the round when too few are left", () => {
    const honest = (x: number): GroupSum => ({ submitters: 3, sum: u32([x, x, x, x]) });
    const bound = { normSlack: 10n, chunkLanes: 2, minGroups: 3 };
    const bad = { submitters: 3, sum: u32([0, 0, 1000, 1000]) };
    const four = aggregateGroupSums([honest(3), honest(6), honest(9), bad], { rule: "median" }, 40000n, 0n, bound);
    expect(four.excludedAt).to.deep.equal([Infinity, Infinity, Infinity, 1]);
    // Chunk 0 over four means (1, 2, 3, 0 → median 1); chunk 1 over the three honest ones (median 2).
    expect(Array.from(new Int32Array(four.aggregate.buffer))).to.deep.equal([1, 1, 2, 2]);
    expect([four.dists[3], four.dots[3], four.inliers[3]]).to.deep.equal([0n, 0n, false]);
    const three = aggregateGroupSums([honest(3), honest(6), bad], { rule: "median" }, 40000n, 0n, bound);
    expect([three.voidedAt, three.inliers, Array.from(three.aggregate)]).to.deep.equal([1, [false, false, false], [0, 0, 0, 0]]);
  });

  it("fuzz: a group of honest, clipped and quantized members is never over the bound", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 9 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer(),
        (m, d, scaleBits, clipNorm, chunkLanes, seed) => {
          const clipNormQ = Math.max(1, Math.floor(clipNorm * 2 ** scaleBits));
          const params = { scaleBits, clipNormQ };
          const rng = seededRng(seed);
          const sum = new Uint32Array(d);
          for (let u = 0; u < m; u++) {
            // Updates far larger than the clip norm, or of every sign pattern, all clip to it.
            const x = Array.from({ length: d }, () => (rng() - 0.5) * 10 ** (rng() * 6));
            addLanes(sum, quantize(x, params, rng));
          }
          const over = overBoundChunks([{ submitters: m, sum }], { normSlack: normSlack(clipNormQ, d), chunkLanes, minGroups: 1 });
          expect(over).to.deep.equal([Infinity]);
        },
      ),
      { numRuns: 300, seed: 20261203 },
    );
  });

  it("keeps a group of aligned members at the clip norm, rounding every element up, within the bound", () => {
    // The worst case of the derivation: every member sends the same direction at the full norm, and every
    // element rounds away from zero (rng() = 0 rounds up), so the sum's norm approaches m · (clipNormQ + √d).
    const d = 50;
    const params = { scaleBits: 4, clipNormQ: 1000 };
    const x = Array.from({ length: d }, () => 100);
    const sum = new Uint32Array(d);
    for (let u = 0; u < 5; u++)
      addLanes(
        sum,
        quantize(x, params, () => 0),
      );
    expect(overBoundChunks([{ submitters: 5, sum }], { normSlack: normSlack(1000, d), chunkLanes: 8, minGroups: 1 })).to.deep.equal([Infinity]);
    addLanes(
      sum,
      quantize(x, params, () => 0),
    );
    // The same sum claimed by 5 submitters with a sixth member's update added is over it, once the running
    // total has taken in enough of the chunks (here the fifth of seven).
    expect(overBoundChunks([{ submitters: 5, sum }], { normSlack: normSlack(1000, d), chunkLanes: 8, minGroups: 1 })).to.deep.equal([4]);
  });
});
