// Multi-Krum as the contract chooses it (src/protocol/multiKrum.ts): from the Gram matrix alone it picks exactly
// the groups the float rule of src/aggregation ranks best over the means themselves, and leaves out groups far
// from the rest whenever they are at most the f it presumes bad.
import { expect } from "chai";
import fc from "fast-check";
import { krumRanking } from "../../src/aggregation/krum";
import { InvalidInputError } from "../../src/errors";
import { MAX_GRAM_GROUPS, MIN_KRUM_GROUPS, gramMatrix, krumPresumedBad, multiKrumWeights } from "../../src/protocol";

const meansArb = fc
  .integer({ min: MIN_KRUM_GROUPS, max: MAX_GRAM_GROUPS })
  .chain((e) => fc.array(fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 6, maxLength: 6 }), { minLength: e, maxLength: e }));

describe("Multi-Krum from the Gram matrix", () => {
  it("presumes f = ⌊(e − 3) / 2⌋ groups bad, so e > 2f + 2", () => {
    expect([3, 4, 5, 6, 7, 16].map(krumPresumedBad)).to.deep.equal([0, 0, 1, 1, 2, 6]);
    for (let e = 3; e <= MAX_GRAM_GROUPS; e++) expect(e).to.be.above(2 * krumPresumedBad(e) + 2);
  });

  it("fuzz: chooses the e − f groups the float Krum ranking puts first", () => {
    fc.assert(
      fc.property(meansArb, (rows) => {
        const means = rows.map((r) => Int32Array.from(r));
        const e = means.length;
        const f = krumPresumedBad(e);
        // Exact in floats: squared distances of small integers stay far below 2^53.
        const best = new Set(
          krumRanking(
            means.map((m) => Float64Array.from(m)),
            f,
          ).slice(0, e - f),
        );
        expect(multiKrumWeights(gramMatrix(means))).to.deep.equal(means.map((_, k) => (best.has(k) ? 1 : 0)));
      }),
      { numRuns: 200 },
    );
  });

  it("fuzz: leaves out up to f groups pushed far from the honest ones", () => {
    fc.assert(
      fc.property(meansArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 100_000, max: 1_000_000 }), (rows, bad, far) => {
        const e = rows.length;
        const k = Math.min(bad, krumPresumedBad(e));
        const means = rows.map((r, g) => Int32Array.from(r, (v, i) => (g < k ? v + (i % 2 ? far : -far) : v)));
        const w = multiKrumWeights(gramMatrix(means));
        expect(w.slice(0, k).every((x) => x === 0)).to.equal(true);
        expect(w.reduce((a, b) => a + b, 0)).to.equal(e - krumPresumedBad(e));
      }),
      { numRuns: 100 },
    );
  });

  it("refuses a Gram matrix that is not square", () => {
    expect(() => multiKrumWeights([1n, 2n, 3n])).to.throw(InvalidInputError, "e × e");
  });
});
