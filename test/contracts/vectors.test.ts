// Cross-language vectors: the Solidity libraries (through ProtocolHarness) agree with the TypeScript
// protocol core on every entry of test/vectors/protocol.json.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as fs from "fs";
import * as path from "path";
import type { DleqHarness, ProtocolHarness } from "../../typechain-types";

const VECTORS = path.join(__dirname, "..", "vectors", "protocol.json");
const RULES: Record<string, number> = { median: 0, "trimmed-mean": 1 };

interface Vectors {
  packing: { values: number[]; words: string[] }[];
  mask: { seed: string; firstWord: number; count: number; words: string[] }[];
  commitment: {
    chainId: string;
    market: string;
    jobId: string;
    round: string;
    lo: number;
    hi: number;
    seed: string;
    commitment: string;
  }[];
  groups: { randomness: string; active: number[]; groupSize: number; groups: number[][] }[];
  rules: { rule: string; trimBps: number; values: number[]; result: number }[];
  inliers: { dists: string[]; dots: string[]; aggNorm: string; factorBps: number; minProjectionBps: number; inliers: boolean[] }[];
  geomedian: { gram: string[]; weights: number[]; accepted: boolean; gradientSq: string; limitSq: string; dists: string[]; dots: string[]; aggNorm: string }[];
  multikrum: { gram: string[]; weights: number[] }[];
  babyjub: { x: string; y: string; valid: boolean }[];
  pairSeed: { sharedX: string; chainId: string; market: string; jobId: string; round: string; lo: number; hi: number; seed: string }[];
  dleq: { pkI: Pair; pkJ: Pair; context: string; shared: Pair; r1: Pair; r2: Pair; s: string; valid: boolean }[];
}

type Pair = [string, string];

async function deployHarness(): Promise<{ harness: ProtocolHarness }> {
  const harness = await ethers.deployContract("ProtocolHarness");
  return { harness };
}

async function deployDleqHarness(): Promise<{ dleq: DleqHarness }> {
  return { dleq: await ethers.deployContract("DleqHarness") };
}

describe("protocol vectors", function () {
  const vectors: Vectors = JSON.parse(fs.readFileSync(VECTORS, "utf8"));

  it("packing matches every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.packing) {
      const words = await harness.pack(v.values);
      expect(words.map((w) => ethers.toBeHex(w, 32))).to.deep.equal(v.words.map((w) => w.toLowerCase()));
    }
  });

  it("mask words match every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.mask) {
      const words = await harness.maskWords(v.seed, v.firstWord, v.count);
      expect(words.map((w) => ethers.toBeHex(w, 32))).to.deep.equal(v.words.map((w) => w.toLowerCase()));
    }
  });

  it("seed commitments match every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.commitment) {
      const c = await harness.seedCommitment(v.chainId, v.market, v.jobId, v.round, v.lo, v.hi, v.seed);
      expect(c).to.equal(v.commitment.toLowerCase());
    }
  });

  it("group assignment matches every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.groups) {
      const groups = await harness.assignGroups(v.randomness, v.active, v.groupSize);
      expect(groups.map((g) => g.map(Number))).to.deep.equal(v.groups);
    }
  });

  it("robust rules match every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.rules) {
      expect(await harness.applyRule(RULES[v.rule], v.trimBps, v.values)).to.equal(BigInt(v.result));
    }
  });

  it("inlier decisions match every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.inliers) {
      const [mask] = await harness.inliers(v.dists.map(BigInt), v.dots.map(BigInt), BigInt(v.aggNorm), v.factorBps, v.minProjectionBps);
      expect(v.dists.map((_, q) => ((mask >> BigInt(q)) & 1n) === 1n)).to.deep.equal(v.inliers);
    }
  });

  it("geometric-median certificates match every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.geomedian) {
      const c = await harness.geoMedianCertificate(v.gram.map(BigInt), v.weights);
      expect([c.accepted, c.gradientSq, c.limitSq, c.aggNorm]).to.deep.equal([v.accepted, BigInt(v.gradientSq), BigInt(v.limitSq), BigInt(v.aggNorm)]);
      expect([[...c.dists], [...c.dots]]).to.deep.equal([v.dists.map(BigInt), v.dots.map(BigInt)]);
    }
  });

  it("Multi-Krum chooses as every vector says", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.multikrum) {
      const e = v.weights.length;
      expect((await harness.multiKrumWeights(v.gram.map(BigInt), e)).map(Number), `e = ${e}`).to.deep.equal(v.weights);
    }
  });

  it("baby jubjub key validation matches every vector", async function () {
    const { harness } = await loadFixture(deployHarness);
    for (const v of vectors.babyjub) {
      expect(await harness.isValidPublicKey(v.x, v.y), `(${v.x}, ${v.y})`).to.equal(v.valid);
    }
  });

  it("pair seeds match every vector", async function () {
    const { dleq } = await loadFixture(deployDleqHarness);
    for (const v of vectors.pairSeed) {
      expect(await dleq.pairSeed(v.sharedX, v.chainId, v.market, v.jobId, v.round, v.lo, v.hi)).to.equal(v.seed.toLowerCase());
    }
  });

  it("DLEQ verdicts match every vector", async function () {
    const { dleq } = await loadFixture(deployDleqHarness);
    for (const [q, v] of vectors.dleq.entries()) {
      expect(await dleq.verify(v.pkI, v.pkJ, v.shared, v.r1, v.r2, v.s, v.context), `dleq[${q}]`).to.equal(v.valid);
    }
  });
});
