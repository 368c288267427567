// Property tests of the protocol libraries through ProtocolHarness, against straightforward TypeScript.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ProtocolHarness } from "../../typechain-types";
import { babyJub, BABYJUB_BASE8, BABYJUB_L, BABYJUB_P, publicKeyOf, type PublicKey } from "../../src/protocol";

const U32 = fc.integer({ min: 0, max: 0xffffffff });
const word = fc.array(U32, { minLength: 8, maxLength: 8 });

function toWord(lanes: number[]): bigint {
  return lanes.reduce((w, v, t) => w | (BigInt(v) << BigInt(32 * t)), 0n);
}

async function harnessFixture(): Promise<{ harness: ProtocolHarness }> {
  return { harness: await ethers.deployContract("ProtocolHarness") };
}

function median(sorted: bigint[]): bigint {
  const e = sorted.length;
  if (e % 2 === 1) return sorted[(e - 1) / 2];
  const s = sorted[e / 2 - 1] + sorted[e / 2];
  return s / 2n; // BigInt division truncates toward zero
}

describe("protocol libraries", function () {
  it("fuzz: SWAR add and sub agree with lane-wise arithmetic mod 2^32", async function () {
    const { harness } = await loadFixture(harnessFixture);
    await fc.assert(
      fc.asyncProperty(word, word, async (a, b) => {
        const sum = toWord(a.map((v, t) => (v + b[t]) >>> 0));
        const diff = toWord(a.map((v, t) => (v - b[t]) >>> 0));
        expect(await harness.add(toWord(a), toWord(b))).to.equal(sum);
        expect(await harness.sub(toWord(a), toWord(b))).to.equal(diff);
      }),
      { numRuns: 60 },
    );
  });

  it("fuzz: the median and trimmed mean agree with a sort in TypeScript", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(int32, { minLength: 1, maxLength: 45 }), fc.integer({ min: 0, max: 4999 }), async (vals, trimBps) => {
        const sorted = vals.map(BigInt).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(await harness.applyRule(0, 0, vals)).to.equal(median(sorted));
        const b = Math.floor((vals.length * trimBps) / 10000);
        const kept = sorted.slice(b, vals.length - b);
        expect(await harness.applyRule(1, trimBps, vals)).to.equal(kept.reduce((x, y) => x + y, 0n) / BigInt(kept.length));
      }),
      { numRuns: 60 },
    );
  });

  it("fuzz: group assignment is a partition into floor(a / g) groups of g to ceil(a / m) ascending members", async function () {
    const { harness } = await loadFixture(harnessFixture);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 3, maxLength: 40 }),
        fc.integer({ min: 3, max: 8 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (raw, g, rnd) => {
          const active = [...raw].sort((x, y) => x - y);
          if (active.length < g) return;
          const groups = (await harness.assignGroups(ethers.hexlify(rnd), active, g)).map((x) => x.map(Number));
          const m = Math.floor(active.length / g);
          expect(groups.length).to.equal(m);
          expect(groups.flat().sort((x, y) => x - y)).to.deep.equal(active);
          for (const group of groups) {
            expect(group.length).to.be.within(g, Math.ceil(active.length / m));
            expect([...group].sort((x, y) => x - y)).to.deep.equal(group);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("the largest group any round can have is min(n, 2g − 1)", async function () {
    const { harness } = await loadFixture(harnessFixture);
    for (const [n, g] of [
      [6, 3],
      [5, 3],
      [128, 3],
      [8, 8],
      [128, 61],
    ]) {
      let worst = 0;
      for (let a = g; a <= n; a++) worst = Math.max(worst, Math.ceil(a / Math.floor(a / g)));
      expect(await harness.maxGroupSize(n, g)).to.equal(BigInt(worst));
    }
  });

  it("a public-key check costs well under a join's budget", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const x = 5299619240641551281634865583518297030282874472190772894086521144482721001553n;
    const y = 16950150798460657717958625567821834550301663161624707787222815936182638968203n;
    expect(await harness.isValidPublicKey(x, y)).to.equal(true);
    expect(await harness.keyCheckGas(x, y)).to.be.lessThan(300_000n);
  });

  describe("BabyJubjub arithmetic", function () {
    const modInverse = (a: bigint): bigint => {
      let [r, x, e] = [1n, a % BABYJUB_P, BABYJUB_P - 2n];
      for (; e > 0n; e >>= 1n, x = (x * x) % BABYJUB_P) if (e & 1n) r = (r * x) % BABYJUB_P;
      return r;
    };
    const affine = ([x, y, z]: readonly [bigint, bigint, bigint]): PublicKey => [(x * modInverse(z)) % BABYJUB_P, (y * modInverse(z)) % BABYJUB_P];

    async function reference() {
      const bj = await babyJub();
      const toF = (p: PublicKey): [Uint8Array, Uint8Array] => [bj.F.e(p[0]), bj.F.e(p[1])];
      const fromF = (p: [Uint8Array, Uint8Array]): PublicKey => [bj.F.toObject(p[0]), bj.F.toObject(p[1])];
      const mul = (p: PublicKey, e: bigint): PublicKey => fromF(bj.mulPointEscalar(toF(p), e));
      const add = (p: PublicKey, q: PublicKey): PublicKey => fromF(bj.addPoint(toF(p), toF(q)));
      // Points of every order: Base8 and a key (l), circomlibjs' Generator (8l), 8l-torsion (8) and (0, −1) (2).
      const points: PublicKey[] = [
        BABYJUB_BASE8,
        await publicKeyOf(987654321n),
        fromF(bj.Generator),
        mul(fromF(bj.Generator), BABYJUB_L),
        [0n, BABYJUB_P - 1n],
      ];
      return { mul, add, points };
    }

    it("mul agrees with circomlibjs on edge scalars and points of every order", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const { mul, points } = await reference();
      const scalars = [0n, 1n, 2n, 3n, 15n, 16n, 17n, BABYJUB_L - 1n, BABYJUB_L, BABYJUB_L + 1n, 8n * BABYJUB_L, (1n << 256n) - 1n];
      for (const p of points) for (const s of scalars) expect(affine(await harness.babyJubMul(p[0], p[1], s)), `${s} · (${p})`).to.deep.equal(mul(p, s));
    });

    it("fuzz: mulAdd agrees with circomlibjs s1·P1 + s2·P2", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const { mul, add, points } = await reference();
      const scalar = fc.oneof(fc.bigInt({ min: 0n, max: BABYJUB_L - 1n }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.bigInt({ min: 0n, max: 64n }));
      const point = fc.integer({ min: 0, max: points.length - 1 }).map((k) => points[k]);
      await fc.assert(
        fc.asyncProperty(point, scalar, point, scalar, async (p, s1, q, s2) => {
          const expected = add(mul(p, s1), mul(q, s2));
          expect(affine(await harness.babyJubMulAdd(p[0], p[1], s1, q[0], q[1], s2))).to.deep.equal(expected);
        }),
        { numRuns: 40 },
      );
    });

    it("projective equality compares x/z and y/z and refuses z = 0", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const [x, y] = BABYJUB_BASE8;
      expect(await harness.babyJubEq([x, y, 1n], [(x * 5n) % BABYJUB_P, (y * 5n) % BABYJUB_P, 5n])).to.equal(true);
      expect(await harness.babyJubEq([x, y, 1n], [(x * 5n) % BABYJUB_P, (y * 6n) % BABYJUB_P, 5n])).to.equal(false);
      expect(await harness.babyJubEq([0n, 0n, 0n], [0n, 0n, 0n])).to.equal(false);
    });
  });
});
