import { expect } from "chai";
import { keccak256, toBeHex } from "ethers";
import { aggregateGroupSums, groupMean, inlierFlags, maskVector, roundAggregate, scoreGroups } from "../../src/protocol";

const u32 = (values: number[]) => Uint32Array.from(values.map((v) => v >>> 0));
const seedOf = (i: number, j: number) => keccak256(toBeHex(i * 100 + j, 32));

describe("protocol/roundAggregate", () => {
  it("truncates group means toward zero on int32", () => {
    expect(Array.from(groupMean(u32([-7, 7, -1, 2 ** 31 - 1]), 3))).to.deep.equal([-2, 2, 0, 715827882]);
  });

  it("takes the median of group means per lane and flags the far group", () => {
    const result = aggregateGroupSums(
      [
        { submitters: 3, sum: u32([30, -30, 0]) },
        { submitters: 3, sum: u32([33, -27, 3]) },
        { submitters: 3, sum: u32([27, -33, -3]) },
        { submitters: 3, sum: u32([3000, 3000, 3000]) },
      ],
      { rule: "median" },
    );
    // means: [10,-10,0] [11,-9,1] [9,-11,-1] [1000,1000,1000]; even count → midpoint truncated.
    expect(Array.from(new Int32Array(result.aggregate.buffer))).to.deep.equal([10, -9, 0]);
    expect(result.dists.slice(0, 3)).to.deep.equal([1n, 2n, 6n]);
    expect(result.inliers).to.deep.equal([true, true, true, false]);
  });

  it("scores group means against an aggregate computed elsewhere as the contract would", () => {
    const means = [Int32Array.from([10, -10, 0]), Int32Array.from([11, -9, 1]), Int32Array.from([-10, 10, 0])];
    const scored = scoreGroups(means, Int32Array.from([10, -10, 0]));
    // dists: 0, 1+1+1, 400+400; dots: 200, 110+90, -200; aggNorm 200; median distance 3.
    expect(scored.dists).to.deep.equal([0n, 3n, 800n]);
    expect(scored.dots).to.deep.equal([200n, 200n, -200n]);
    expect(scored.aggNorm).to.equal(200n);
    expect(scored.medianDist).to.equal(3n);
    expect(scored.inliers).to.deep.equal([true, true, false]);
  });

  it("applies the trimmed mean with trimBps across groups", () => {
    const sums = [1, 2, 3, 4, 1000].map((v) => ({ submitters: 3, sum: u32([3 * v]) }));
    const result = aggregateGroupSums(sums, { rule: "trimmed-mean", trimBps: 2000 });
    expect(result.aggregate[0]).to.equal(3);
  });

  it("accumulates squared distances exactly beyond 2^53", () => {
    const result = aggregateGroupSums(
      [
        { submitters: 3, sum: u32([0, 0]) },
        { submitters: 3, sum: u32([0, 0]) },
        { submitters: 3, sum: u32([-(2 ** 31), -(2 ** 31)]) },
      ],
      { rule: "median" },
    );
    expect(result.dists[2]).to.equal(2n * BigInt(Math.trunc(-(2 ** 31) / 3)) ** 2n);
  });

  it("gives the same outcome from masked vectors with dropouts as from the plain sums", async () => {
    const vectors = [
      [5, -3, 8],
      [6, -2, 9],
      [4, -4, 7],
      [100, 100, 100],
    ];
    // Members 0..3 in one group; member 3 dropped after committing; all pairs active.
    const masked = await Promise.all(
      [0, 1, 2].map((i) =>
        maskVector(
          u32(vectors[i]),
          i,
          [0, 1, 2, 3].filter((j) => j !== i).map((j) => ({ index: j, seed: seedOf(Math.min(i, j), Math.max(i, j)) })),
        ),
      ),
    );
    const reveals = [0, 1, 2].map((i) => ({ submitter: i, dropped: 3, seed: seedOf(i, 3) }));
    const other = { submitters: 3, sum: u32([18, -6, 27, 0, 0, 0, 0, 0]) };
    const fromMasked = await roundAggregate({ groups: [{ masked, reveals }, other, other], rule: { rule: "median" } });
    const plain = aggregateGroupSums([{ submitters: 3, sum: u32([15, -9, 24, 0, 0, 0, 0, 0]) }, other, other], { rule: "median" });
    expect(Array.from(fromMasked.aggregate)).to.deep.equal(Array.from(plain.aggregate));
    expect(fromMasked.dists).to.deep.equal(plain.dists);
    expect(fromMasked.inliers).to.deep.equal(plain.inliers);
  });

  it("applies 10000 · dist ≤ factor · median with the boundary inside", () => {
    const off = { dots: [0n, 0n, 0n], aggNorm: 0n, minProjectionBps: 0n };
    expect(inlierFlags({ dists: [100n, 100n, 400n], outlierFactorBps: 40000n, ...off })).to.deep.equal([true, true, true]);
    expect(inlierFlags({ dists: [100n, 100n, 401n], outlierFactorBps: 40000n, ...off })).to.deep.equal([true, true, false]);
  });

  it("applies 10000 · dot ≥ minProjectionBps · aggNorm with the boundary inside, and 0 turns it off", () => {
    const dists = [100n, 100n, 100n, 100n];
    const dots = [100n, 50n, 49n, -30n];
    expect(inlierFlags({ dists, dots, aggNorm: 100n, minProjectionBps: 5000n })).to.deep.equal([true, true, false, false]);
    expect(inlierFlags({ dists, dots, aggNorm: 100n })).to.deep.equal([true, true, false, false]);
    expect(inlierFlags({ dists, dots, aggNorm: 100n, minProjectionBps: 0n })).to.deep.equal([true, true, true, true]);
    // A group must pass both tests: far but aligned, or near but opposed, is not an inlier.
    expect(inlierFlags({ dists: [100n, 100n, 1000n], dots: [100n, -100n, 100n], aggNorm: 100n })).to.deep.equal([true, false, false]);
    expect(() => inlierFlags({ dists, dots, aggNorm: 100n, minProjectionBps: 10001n })).to.throw(/minProjectionBps/);
    expect(() => inlierFlags({ dists, dots: [1n], aggNorm: 100n })).to.throw(/dots/);
  });

  it("flags a group with a sign-flipped member by its projection, which the distance test pays", () => {
    // Honest direction h; the group with one of three members sending −h has mean h/3 (projection 1/3).
    const h = Array.from({ length: 64 }, (_, i) => ((i * 37) % 17) * 100 - 800);
    // Members' noise about as large as the signal, as on real data: the group sums are 3h (honest) or
    // h + h − h (one flipper) plus the members' summed noise.
    const noise = (k: number, i: number) => (((i + 1) * (k + 5) * 7919 + k * 104729) % 3001) - 1500;
    const groups = [0, 1, 2, 3, 4].map((k) => ({ submitters: 3, sum: u32(h.map((x, i) => (k < 4 ? 3 : 1) * x + noise(k, i))) }));
    const result = aggregateGroupSums(groups, { rule: "median" }, 40000n, 5000n);
    const aggNorm = h.reduce((s, _, i) => s + BigInt(new Int32Array(result.aggregate.buffer)[i]) ** 2n, 0n);
    expect(result.aggNorm).to.equal(aggNorm);
    const projections = result.dots.map((d) => Number(d) / Number(result.aggNorm));
    expect(projections[4]).to.be.closeTo(1 / 3, 0.15);
    projections.slice(0, 4).forEach((p) => expect(p).to.be.closeTo(1, 0.3));
    // The flipper's squared distance stays within the default factor 4 of the median.
    expect(10000n * result.dists[4] <= 40000n * result.medianDist).to.equal(true);
    expect(result.inliers).to.deep.equal([true, true, true, true, false]);
    expect(aggregateGroupSums(groups, { rule: "median" }, 40000n, 0n).inliers).to.deep.equal([true, true, true, true, true]);
  });

  it("accumulates signed dot products exactly beyond 2^53", () => {
    const big = -(2 ** 31);
    const result = aggregateGroupSums(
      [
        { submitters: 3, sum: u32([big, big, big]) },
        { submitters: 3, sum: u32([big, big, big]) },
        { submitters: 3, sum: u32([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1]) },
      ],
      { rule: "median" },
    );
    const m = BigInt(Math.trunc(big / 3));
    const p = BigInt(Math.trunc((2 ** 31 - 1) / 3));
    expect(result.aggNorm).to.equal(3n * m * m);
    expect(result.dots).to.deep.equal([3n * m * m, 3n * m * m, 3n * p * m]);
    expect(result.inliers[2]).to.equal(false);
  });

  it("refuses groups with fewer than 3 submitters", () => {
    expect(() => aggregateGroupSums([{ submitters: 2, sum: u32([1]) }], { rule: "median" })).to.throw(/submitters/);
  });
});
