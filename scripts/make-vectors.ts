// Writes test/vectors/protocol.json: cross-language test vectors computed by src/protocol, read by the
// Solidity tests and re-checked by test/protocol/vectors.test.ts. Deterministic: no unseeded randomness.
// Run with `npx ts-node --transpile-only scripts/make-vectors.ts`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { onChainRule } from "../src/protocol";
import {
  assignGroups,
  certifyGeoMedian,
  geoMedianWeights,
  multiKrumWeights,
  gramMatrix,
  babyJub,
  BABYJUB_BASE8,
  BABYJUB_L,
  BABYJUB_P,
  dleqChallenge,
  dleqContext,
  ecdhSharedX,
  inlierFlags,
  isValidPublicKey,
  maskWords,
  packWords,
  pairSeed,
  pairSeedFromKeys,
  publicKeyOf,
  seedCommitment,
  seededRng,
  toHexWords,
  verifySharedPoint,
  type PublicKey,
  type SharedPointProof,
} from "../src/protocol";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MARKET = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

const tag = (label: string): string => keccak256(toUtf8Bytes(`omnimarket/vectors/${label}`));

function seededUint32s(count: number, seed: number): number[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => Math.floor(rng() * 2 ** 32));
}

function packingVectors() {
  const cases: number[][] = [
    [],
    [1],
    [1, 2, 3, 4, 5, 6, 7, 8],
    [0xffffffff, 0x80000000, 0x7fffffff, 0, 1, 0x01020304, 0xdeadbeef, 0xcafebabe, 42],
    seededUint32s(13, 1),
    seededUint32s(24, 2),
  ];
  return cases.map((values) => ({ values, words: toHexWords(packWords(Uint32Array.from(values))) }));
}

async function maskVectors() {
  const cases = [
    { seed: tag("mask/0"), firstWord: 0, count: 3 },
    { seed: tag("mask/1"), firstWord: 7, count: 2 },
    { seed: tag("mask/2"), firstWord: 124999, count: 1 },
    { seed: tag("mask/3"), firstWord: 2 ** 32 + 5, count: 2 },
    { seed: "0x" + "00".repeat(32), firstWord: 0, count: 1 },
  ];
  return Promise.all(cases.map(async (c) => ({ ...c, words: toHexWords(packWords(await maskWords(c.seed, c.firstWord, c.count))) })));
}

async function commitmentVectors() {
  const keys = [11n, 22n, 33n, BABYJUB_L - 1n];
  const pks = await Promise.all(keys.map(publicKeyOf));
  const cases = [
    { chainId: 31337n, jobId: 1n, round: 0n, lo: 0, hi: 2 },
    { chainId: 31337n, jobId: 1n, round: 1n, lo: 0, hi: 2 },
    { chainId: 31337n, jobId: 7n, round: 3n, lo: 1, hi: 3 },
    { chainId: 1n, jobId: 2n ** 64n, round: 0n, lo: 2, hi: 3 },
  ];
  return Promise.all(
    cases.map(async ({ chainId, jobId, round, lo, hi }) => {
      const ctx = { chainId, market: MARKET, jobId, round };
      const seed = await pairSeedFromKeys(keys[lo], pks[hi], ctx, lo, hi);
      return {
        chainId: chainId.toString(),
        market: MARKET,
        jobId: jobId.toString(),
        round: round.toString(),
        lo,
        hi,
        seed,
        commitment: seedCommitment(ctx, lo, hi, seed),
      };
    }),
  );
}

function groupVectors() {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const cases = [
    { randomness: tag("groups/0"), active: range(9), groupSize: 3 },
    { randomness: tag("groups/1"), active: range(10), groupSize: 3 },
    { randomness: tag("groups/2"), active: range(7), groupSize: 3 },
    { randomness: tag("groups/3"), active: range(3), groupSize: 3 },
    { randomness: tag("groups/4"), active: [0, 2, 3, 5, 8, 9, 11, 12, 15, 20, 21], groupSize: 4 },
    { randomness: tag("groups/5"), active: range(23), groupSize: 5 },
  ];
  return cases.map((c) => ({ ...c, groups: assignGroups(c.randomness, c.active, c.groupSize) }));
}

function ruleVectors() {
  const cases: { rule: "median" | "trimmed-mean"; trimBps: number; values: number[] }[] = [
    { rule: "median", trimBps: 0, values: [5] },
    { rule: "median", trimBps: 0, values: [3, -1, 2] },
    { rule: "median", trimBps: 0, values: [-3, -2] },
    { rule: "median", trimBps: 0, values: [4, 1, 3, 2] },
    { rule: "median", trimBps: 0, values: [INT32_MAX, INT32_MAX] },
    { rule: "median", trimBps: 0, values: [INT32_MIN, INT32_MIN] },
    { rule: "median", trimBps: 0, values: [INT32_MIN, INT32_MAX] },
    { rule: "median", trimBps: 0, values: [INT32_MIN, -7, INT32_MAX, 9, 0] },
    { rule: "trimmed-mean", trimBps: 0, values: [-1, -1, 0] },
    { rule: "trimmed-mean", trimBps: 0, values: [INT32_MAX, INT32_MAX, INT32_MAX] },
    { rule: "trimmed-mean", trimBps: 1000, values: [10, -20, 30, -40, 50, -60, 70, -80, 90, INT32_MIN] },
    { rule: "trimmed-mean", trimBps: 2500, values: [1, 2, 3, 100, -100, 5, 6, 7] },
    { rule: "trimmed-mean", trimBps: 2500, values: [-5, -6, -7] },
    { rule: "trimmed-mean", trimBps: 3333, values: [INT32_MIN, -3, -2, -2, INT32_MAX, 4] },
    { rule: "trimmed-mean", trimBps: 4999, values: [9, -9, 4, 3, 1] },
  ];
  return cases.map((c) => ({
    ...c,
    result: onChainRule(c.values, c.rule === "median" ? { rule: "median" } : { rule: "trimmed-mean", trimBps: c.trimBps }),
  }));
}

function inlierVectors() {
  type Case = { dists: bigint[]; dots?: bigint[]; aggNorm?: bigint; factorBps: bigint; minProjectionBps?: bigint };
  const cases: Case[] = [
    // The distance test alone (projection test off).
    { dists: [100n, 120n, 90n], factorBps: 40000n },
    { dists: [100n, 120n, 90n, 1000n], factorBps: 40000n },
    { dists: [100n, 400n, 401n], factorBps: 40000n },
    { dists: [0n, 0n, 0n, 5n], factorBps: 40000n },
    { dists: [0n, 0n, 1n], factorBps: 40000n },
    { dists: [10n, 30n], factorBps: 10000n },
    { dists: [2n ** 70n, 3n * 2n ** 70n, 2n ** 72n, 2n ** 74n, 7n], factorBps: 40000n },
    // minProjectionBps 0 disables the projection test, even for negative dots.
    { dists: [100n, 100n, 100n], dots: [-100n, -1n, 0n], aggNorm: 100n, factorBps: 40000n, minProjectionBps: 0n },
    // aggNorm 0: the bound is 0, so a dot of 0 passes and a negative one fails.
    { dists: [0n, 0n, 0n], dots: [0n, 0n, 0n], aggNorm: 0n, factorBps: 40000n, minProjectionBps: 5000n },
    { dists: [1n, 1n, 1n], dots: [0n, -1n, 5n], aggNorm: 0n, factorBps: 40000n, minProjectionBps: 5000n },
    // Negative dot (a sign-flipped group) and exactly on the boundary (10000 · 50 = 5000 · 100).
    { dists: [100n, 110n, 90n], dots: [100n, -50n, 60n], aggNorm: 100n, factorBps: 40000n, minProjectionBps: 5000n },
    { dists: [100n, 110n, 90n], dots: [50n, 49n, 51n], aggNorm: 100n, factorBps: 40000n, minProjectionBps: 5000n },
    { dists: [5n, 5n, 5n], dots: [7n, 6n, 8n], aggNorm: 7n, factorBps: 10000n, minProjectionBps: 10000n },
    // A projection of 1/3 (one sign-flipper in three) fails; a far group fails the distance test alone.
    { dists: [100n, 120n, 90n, 1000n], dots: [9000n, 3000n, 8700n, 9100n], aggNorm: 9000n, factorBps: 40000n, minProjectionBps: 5000n },
    // Large values: |dot| and aggNorm near what 2^21 int32 lanes can reach.
    {
      dists: [2n ** 80n, 2n ** 80n + 1n, 2n ** 81n],
      dots: [2n ** 82n, -(2n ** 82n), 3333n * 2n ** 70n],
      aggNorm: 10000n * 2n ** 70n,
      factorBps: 40000n,
      minProjectionBps: 3333n,
    },
  ];
  return cases.map(({ dists, dots = dists.map(() => 0n), aggNorm = 0n, factorBps, minProjectionBps = 0n }) => ({
    dists: dists.map(String),
    dots: dots.map(String),
    aggNorm: aggNorm.toString(),
    factorBps: Number(factorBps),
    minProjectionBps: Number(minProjectionBps),
    inliers: inlierFlags({ dists, dots, aggNorm, outlierFactorBps: factorBps, minProjectionBps }),
  }));
}

// Geometric-median certificates: Weiszfeld's weights (accepted), the same shifted (rejected), a median at a
// mean (one-hot weights), identical means, and means near the int32 and lane-count limits.
function geoMedianVectors() {
  const rng = seededRng(41);
  const means = (e: number, d: number, spread: number, offset: (k: number) => number) =>
    Array.from({ length: e }, (_, k) => Int32Array.from({ length: d }, () => Math.round((rng() - 0.5) * spread + offset(k))));
  const cases: { gram: bigint[]; weights: number[] }[] = [];
  for (const [e, d, spread, far] of [
    [3, 8, 2000, 0],
    [4, 16, 2000, 50000],
    [5, 24, 100, 0],
    [8, 40, 5000, 1e6],
    [16, 16, 1000, 0],
  ] as const) {
    const gram = gramMatrix(means(e, d, spread, (k) => (k === 0 ? far : 0)));
    const weights = geoMedianWeights(gram);
    cases.push({ gram, weights });
    cases.push({ gram, weights: weights.map((w, k) => (k === e - 1 ? Math.min(2 ** 32 - 1, w + 2 ** 31) : Math.floor(w / 3))) });
    cases.push({ gram, weights: weights.map((_, k) => (k === 1 ? 1 : 0)) });
  }
  // A star: the centre is the geometric median, certified by its own weight alone (Z = {centre}).
  const star = [
    [0, 0],
    [100, 0],
    [-100, 0],
    [0, 100],
    [30, -90],
  ].map((v) => Int32Array.from(v));
  cases.push({ gram: gramMatrix(star), weights: [1, 0, 0, 0, 0] }, { gram: gramMatrix(star), weights: [0, 1, 0, 0, 0] });
  // Identical means: every group is at z.
  const same = Int32Array.from([5, -7, 9]);
  cases.push({ gram: gramMatrix([same, same, same]), weights: [1, 2, 3] });
  // Near the limits: int32 extremes, and a Gram entry of 2^21 lanes of them.
  const big = (v: number) => Int32Array.from({ length: 8 }, (_, i) => (i % 2 ? v : -v));
  const huge = gramMatrix([big(2 ** 31 - 1), big(-(2 ** 31)), big(12345)]).map((g) => g * 2n ** 18n);
  cases.push({ gram: huge, weights: geoMedianWeights(huge) }, { gram: huge, weights: [2 ** 32 - 1, 2 ** 32 - 1, 1] });
  return cases.map(({ gram, weights }) => {
    const c = certifyGeoMedian(gram, weights);
    return {
      gram: gram.map(String),
      weights,
      accepted: c.accepted,
      gradientSq: c.gradientSq.toString(),
      limitSq: c.limitSq.toString(),
      dists: c.dists.map(String),
      dots: c.dots.map(String),
      aggNorm: c.aggNorm.toString(),
    };
  });
}

async function babyjubVectors() {
  const bj = await babyJub();
  const affine = (p: [Uint8Array, Uint8Array]): PublicKey => [bj.F.toObject(p[0]), bj.F.toObject(p[1])];
  const valid = await Promise.all([1n, 2n, 12345n, BABYJUB_L - 1n].map(publicKeyOf));
  const orderTwo: PublicKey = [0n, BABYJUB_P - 1n];
  const shifted = affine(bj.addPoint([bj.F.e(valid[2][0]), bj.F.e(valid[2][1])], [bj.F.e(orderTwo[0]), bj.F.e(orderTwo[1])]));
  const generator = affine(bj.Generator);
  const points: PublicKey[] = [
    ...valid,
    [1n, 2n], // off the curve
    [valid[0][0], valid[0][1] + 1n], // off the curve, near a valid key
    [0n, 1n], // the identity
    orderTwo, // on the curve, order 2
    shifted, // a valid key plus the order-2 point: order 2l
    generator, // circomlibjs Generator: order 8l, outside the prime-order subgroup
  ];
  return Promise.all(points.map(async ([x, y]) => ({ x: x.toString(), y: y.toString(), valid: await isValidPublicKey([x, y]) })));
}

async function pairSeedVectors() {
  const ecdh = await ecdhSharedX(11n, await publicKeyOf(22n));
  const cases = [
    { sharedX: ecdh, chainId: 31337n, jobId: 1n, round: 0n, lo: 0, hi: 1 },
    { sharedX: ecdh, chainId: 31337n, jobId: 1n, round: 4n, lo: 3, hi: 127 },
    { sharedX: 0n, chainId: 1n, jobId: 0n, round: 0n, lo: 0, hi: 1 },
    { sharedX: BABYJUB_P - 1n, chainId: 8453n, jobId: 2n ** 64n, round: 99n, lo: 5, hi: 6 },
    { sharedX: (1n << 256n) - 1n, chainId: (1n << 256n) - 1n, jobId: (1n << 256n) - 1n, round: (1n << 256n) - 1n, lo: 0, hi: 2 },
  ];
  return cases.map((c) => ({
    sharedX: c.sharedX.toString(),
    chainId: c.chainId.toString(),
    market: MARKET,
    jobId: c.jobId.toString(),
    round: c.round.toString(),
    lo: c.lo,
    hi: c.hi,
    seed: pairSeed(c.sharedX, { chainId: c.chainId, market: MARKET, jobId: c.jobId, round: c.round }, c.lo, c.hi),
  }));
}

async function dleqVectors() {
  const bj = await babyJub();
  const toF = (p: PublicKey): [Uint8Array, Uint8Array] => [bj.F.e(p[0]), bj.F.e(p[1])];
  const fromF = (p: [Uint8Array, Uint8Array]): PublicKey => [bj.F.toObject(p[0]), bj.F.toObject(p[1])];
  const mul = (p: PublicKey, e: bigint): PublicKey => fromF(bj.mulPointEscalar(toF(p), e));
  const add = (p: PublicKey, q: PublicKey): PublicKey => fromF(bj.addPoint(toF(p), toF(q)));
  const orderTwo: PublicKey = [0n, BABYJUB_P - 1n];
  // proveSharedPoint with a fixed nonce instead of a random one; `shift` adds a point to the shared point and
  // re-draws the nonce until c · shift = O (the small-order forgery), `shift` of order 2 here.
  const prove = (sk: bigint, pkI: PublicKey, pkJ: PublicKey, context: string, label: string, shift?: PublicKey): SharedPointProof => {
    const shared = shift ? add(mul(pkJ, sk), shift) : mul(pkJ, sk);
    for (let t = 0; ; t++) {
      const k = BigInt(tag(`dleq/${label}/${t}`)) % BABYJUB_L;
      const r1 = mul(BABYJUB_BASE8, k);
      const r2 = mul(pkJ, k);
      const c = dleqChallenge(context, pkI, pkJ, shared, r1, r2);
      if (!shift || c % 2n === 0n) return { shared, r1, r2, s: (k + c * sk) % BABYJUB_L };
    }
  };
  const [skA, skB, skC] = [11n, 22n, BABYJUB_L - 1n];
  const [pkA, pkB, pkC] = await Promise.all([skA, skB, skC].map(publicKeyOf));
  const ctx1 = dleqContext(31337n, MARKET, 1n);
  const ctx2 = dleqContext(1n, MARKET, 2n ** 64n);
  const ab = prove(skA, pkA, pkB, ctx1, "ab");
  const ba = prove(skB, pkB, pkA, ctx1, "ba");
  const ca = prove(skC, pkC, pkA, ctx2, "ca");
  const cases: { pkI: PublicKey; pkJ: PublicKey; context: string; proof: SharedPointProof }[] = [
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: ab },
    { pkI: pkB, pkJ: pkA, context: ctx1, proof: ba },
    { pkI: pkC, pkJ: pkA, context: ctx2, proof: ca },
    { pkI: pkA, pkJ: pkB, context: ctx2, proof: ab }, // another job
    { pkI: pkB, pkJ: pkA, context: ctx1, proof: ab }, // keys swapped
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: { ...ab, s: (ab.s + 1n) % BABYJUB_L } },
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: { ...ab, s: ab.s + BABYJUB_L } }, // s ≥ l
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: { ...ab, r1: [ab.r1[0], ab.r1[1] + 1n] } }, // r1 off the curve
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: { ...ab, shared: add(ab.shared, orderTwo) } }, // shared off the subgroup
    { pkI: pkA, pkJ: pkB, context: ctx1, proof: prove(skA, pkA, pkB, ctx1, "forged", orderTwo) }, // the small-order forgery
  ];
  const pair = (p: PublicKey): [string, string] => [p[0].toString(), p[1].toString()];
  return Promise.all(
    cases.map(async ({ pkI, pkJ, context, proof }) => ({
      pkI: pair(pkI),
      pkJ: pair(pkJ),
      context,
      shared: pair(proof.shared),
      r1: pair(proof.r1),
      r2: pair(proof.r2),
      s: proof.s.toString(),
      valid: await verifySharedPoint(pkI, pkJ, proof, context),
    })),
  );
}

function multiKrumVectors() {
  const rng = seededRng(43);
  const means = (e: number, d: number, spread: number, far: number, bad: number) =>
    Array.from({ length: e }, (_, k) => Int32Array.from({ length: d }, () => Math.round((rng() - 0.5) * spread + (k < bad ? far : 0))));
  const grams: bigint[][] = [];
  for (const [e, d, spread, far, bad] of [
    [5, 8, 2000, 0, 0],
    [5, 16, 2000, 50000, 1],
    [6, 24, 100, 3000, 2],
    [9, 40, 5000, 1e6, 3],
    [16, 16, 1000, -40000, 6],
  ] as const) {
    grams.push(gramMatrix(means(e, d, spread, far, bad)));
  }
  // Ties: identical means score alike, and the lower indices are chosen.
  const same = Int32Array.from([5, -7, 9]);
  grams.push(gramMatrix([same, same, same, same, same, same, same]));
  // Near the limits: int32 extremes and Gram entries of 2^21 lanes of them.
  const big = (v: number) => Int32Array.from({ length: 8 }, (_, i) => (i % 2 ? v : -v));
  grams.push(gramMatrix([big(2 ** 31 - 1), big(-(2 ** 31)), big(12345), big(-777), big(2 ** 30)]).map((g) => g * 2n ** 18n));
  return grams.map((gram) => ({ gram: gram.map(String), weights: multiKrumWeights(gram) }));
}

async function main(): Promise<void> {
  const vectors = {
    packing: packingVectors(),
    mask: await maskVectors(),
    commitment: await commitmentVectors(),
    groups: groupVectors(),
    rules: ruleVectors(),
    inliers: inlierVectors(),
    geomedian: geoMedianVectors(),
    multikrum: multiKrumVectors(),
    babyjub: await babyjubVectors(),
    pairSeed: await pairSeedVectors(),
    dleq: await dleqVectors(),
  };
  const file = join(__dirname, "..", "test", "vectors", "protocol.json");
  writeFileSync(file, JSON.stringify(vectors, null, 1) + "\n");
  console.log(`wrote ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
