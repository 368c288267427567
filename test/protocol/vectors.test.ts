import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { certifyGeoMedian, multiKrumWeights, onChainRule } from "../../src/protocol";
import { assignGroups, inlierFlags, isValidPublicKey, maskWords, packWords, pairSeed, seedCommitment, toHexWords, verifySharedPoint } from "../../src/protocol";

const vectors = JSON.parse(readFileSync(join(__dirname, "..", "vectors", "protocol.json"), "utf8"));

describe("test/vectors/protocol.json", () => {
  it("packing words match the library", () => {
    for (const v of vectors.packing) expect(toHexWords(packWords(Uint32Array.from(v.values)))).to.deep.equal(v.words);
  });

  it("mask words match the library", async () => {
    for (const v of vectors.mask) expect(toHexWords(packWords(await maskWords(v.seed, v.firstWord, v.count)))).to.deep.equal(v.words);
  });

  it("seed commitments match the library", () => {
    for (const v of vectors.commitment) {
      const ctx = { chainId: BigInt(v.chainId), market: v.market, jobId: BigInt(v.jobId), round: BigInt(v.round) };
      expect(seedCommitment(ctx, v.lo, v.hi, v.seed)).to.equal(v.commitment);
    }
  });

  it("group assignments match the library", () => {
    for (const v of vectors.groups) expect(assignGroups(v.randomness, v.active, v.groupSize)).to.deep.equal(v.groups);
  });

  it("integer rule results match the library", () => {
    for (const v of vectors.rules) {
      const rule = v.rule === "median" ? { rule: "median" as const } : { rule: "trimmed-mean" as const, trimBps: v.trimBps };
      expect(onChainRule(v.values, rule)).to.equal(v.result);
    }
  });

  it("inlier flags match the library", () => {
    for (const v of vectors.inliers) {
      const flags = inlierFlags({
        dists: v.dists.map(BigInt),
        dots: v.dots.map(BigInt),
        aggNorm: BigInt(v.aggNorm),
        outlierFactorBps: BigInt(v.factorBps),
        minProjectionBps: BigInt(v.minProjectionBps),
      });
      expect(flags).to.deep.equal(v.inliers);
    }
  });

  it("geometric-median certificates match the library, and the vectors cover acceptance, rejection and means at z", () => {
    type GeoMedianVector = {
      gram: string[];
      weights: number[];
      accepted: boolean;
      gradientSq: string;
      limitSq: string;
      dists: string[];
      dots: string[];
      aggNorm: string;
    };
    const cases: GeoMedianVector[] = vectors.geomedian;
    for (const v of cases) {
      const c = certifyGeoMedian(v.gram.map(BigInt), v.weights);
      expect([c.accepted, c.gradientSq, c.limitSq, c.aggNorm]).to.deep.equal([v.accepted, BigInt(v.gradientSq), BigInt(v.limitSq), BigInt(v.aggNorm)]);
      expect([c.dists, c.dots]).to.deep.equal([v.dists.map(BigInt), v.dots.map(BigInt)]);
    }
    const limits = cases.map((v) => BigInt(v.limitSq));
    expect(cases.some((v) => v.accepted && BigInt(v.gradientSq) > 0n && BigInt(v.limitSq) > 2n ** 64n)).to.equal(true);
    expect(cases.some((v) => !v.accepted)).to.equal(true);
    expect(limits.some((l) => l < 2n ** 64n)).to.equal(true);
  });

  it("Multi-Krum's choices match the library, and the vectors cover outliers left out and ties", () => {
    const cases: { gram: string[]; weights: number[] }[] = vectors.multikrum;
    for (const v of cases) expect(multiKrumWeights(v.gram.map(BigInt))).to.deep.equal(v.weights);
    // The far groups of the second case (1 of 5) and of the fourth (3 of 9) are left out.
    expect(cases[1].weights).to.deep.equal([0, 1, 1, 1, 1]);
    expect(cases[3].weights.slice(0, 3)).to.deep.equal([0, 0, 0]);
    expect(cases[5].weights).to.deep.equal([1, 1, 1, 1, 1, 0, 0]);
  });

  it("Baby Jubjub key validity matches the library", async () => {
    for (const v of vectors.babyjub) expect(await isValidPublicKey([BigInt(v.x), BigInt(v.y)])).to.equal(v.valid);
  });

  it("pair seeds match the library", () => {
    for (const v of vectors.pairSeed) {
      const ctx = { chainId: BigInt(v.chainId), market: v.market, jobId: BigInt(v.jobId), round: BigInt(v.round) };
      expect(pairSeed(BigInt(v.sharedX), ctx, v.lo, v.hi)).to.equal(v.seed);
    }
  });

  it("DLEQ proof verdicts match the library", async () => {
    type Pair = [string, string];
    type DleqVector = { pkI: Pair; pkJ: Pair; context: string; shared: Pair; r1: Pair; r2: Pair; s: string; valid: boolean };
    const point = (p: Pair): [bigint, bigint] => [BigInt(p[0]), BigInt(p[1])];
    for (const v of vectors.dleq as DleqVector[]) {
      const proof = { shared: point(v.shared), r1: point(v.r1), r2: point(v.r2), s: BigInt(v.s) };
      expect(await verifySharedPoint(point(v.pkI), point(v.pkJ), proof, v.context)).to.equal(v.valid);
    }
  });

  it("covers the required edge cases", () => {
    expect(vectors.packing.some((v: { values: number[] }) => v.values.length % 8 !== 0)).to.equal(true);
    expect(vectors.groups.some((v: { active: number[]; groupSize: number }) => v.active.length % v.groupSize !== 0)).to.equal(true);
    expect(vectors.babyjub.filter((v: { valid: boolean }) => !v.valid).length).to.be.at.least(4);
    expect(vectors.dleq.filter((v: { valid: boolean }) => v.valid).length).to.be.at.least(2);
    expect(vectors.dleq.filter((v: { valid: boolean }) => !v.valid).length).to.be.at.least(6);
    type InlierVector = { dots: string[]; aggNorm: string; minProjectionBps: number; inliers: boolean[] };
    const inliers: InlierVector[] = vectors.inliers;
    expect(inliers.some((v) => v.aggNorm === "0" && v.minProjectionBps > 0)).to.equal(true);
    expect(inliers.some((v) => v.dots.some((d) => BigInt(d) < 0n) && v.minProjectionBps > 0)).to.equal(true);
    expect(inliers.some((v) => v.dots.some((d) => BigInt(d) < 0n) && v.minProjectionBps === 0)).to.equal(true);
    // Exactly on the projection boundary: 10000 · dot = minProjectionBps · aggNorm.
    expect(inliers.some((v) => v.minProjectionBps > 0 && v.dots.some((d) => 10000n * BigInt(d) === BigInt(v.minProjectionBps) * BigInt(v.aggNorm)))).to.equal(
      true,
    );
  });
});
