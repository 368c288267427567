import { expect } from "chai";
import fc from "fast-check";
import { coordinateMedian, geometricMedian, krum, trimmedMean } from "../../src/aggregation";

const value = fc.double({ min: -1000, max: 1000, noNaN: true });
const row = (d: number) => fc.array(value, { minLength: d, maxLength: d });

// Honest rows, malicious rows (f of them), all of dimension d.
function population(maxHonest: number, maxBad: (honest: number) => number) {
  return fc
    .integer({ min: 1, max: 4 })
    .chain((d) =>
      fc
        .integer({ min: 1, max: maxHonest })
        .chain((h) =>
          fc.tuple(
            fc.array(row(d), { minLength: h, maxLength: h }),
            fc.array(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: d, maxLength: d }), { maxLength: maxBad(h) }),
          ),
        ),
    );
}

function expectWithinHonestRange(result: Float64Array, honest: number[][]): void {
  result.forEach((v, j) => {
    const column = honest.map((r) => r[j]);
    expect(v).to.be.within(Math.min(...column) - 1e-9, Math.max(...column) + 1e-9);
  });
}

describe("aggregation/properties", () => {
  it("property: median stays inside the honest range per coordinate while f < honest count", () => {
    fc.assert(
      fc.property(
        population(9, (h) => h - 1),
        ([honest, bad]) => {
          expectWithinHonestRange(coordinateMedian([...honest, ...bad]), honest);
        },
      ),
    );
  });

  it("property: trimmed mean stays inside the honest range per coordinate while f ≤ floor(beta · n)", () => {
    fc.assert(
      fc.property(
        population(9, (h) => h - 1),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        ([honest, bad], beta) => {
          const n = honest.length + bad.length;
          fc.pre(bad.length <= Math.floor(beta * n));
          expectWithinHonestRange(trimmedMean([...honest, ...bad], { beta }), honest);
        },
      ),
    );
  });

  it("property: krum picks an honest vector when n > 2f + 2 and honest vectors are clustered", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 2 ** 31 }), (d, f, seed) => {
        const n = 2 * f + 3 + (seed % 3);
        let s = seed;
        const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
        const honest = Array.from({ length: n - f }, () => Array.from({ length: d }, () => rand()));
        const bad = Array.from({ length: f }, (_, k) => Array.from({ length: d }, () => 100 + 10 * k + rand()));
        const chosen = Array.from(krum([...honest, ...bad], { f }));
        expect(honest.some((h) => h.every((v, j) => v === chosen[j]))).to.equal(true);
      }),
    );
  });

  it("property: geometric median stays within a bounded distance of honest points below its breakdown point", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.double({ min: 10, max: 1e6, noNaN: true }), (d, seed, far) => {
        const honestCount = 5 + (seed % 4);
        const f = Math.floor((honestCount - 1) / 2);
        let s = seed;
        const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
        const honest = Array.from({ length: honestCount }, () => Array.from({ length: d }, () => rand()));
        const bad = Array.from({ length: f }, () => Array.from({ length: d }, () => far));
        const g = geometricMedian([...honest, ...bad]);
        // Breakdown bound: ‖g − 0‖ ≤ C · max honest radius with C = 2(n − f) / (n − 2f) (Minsker 2015).
        const n = honestCount + f;
        const radius = Math.max(...honest.map((h) => Math.hypot(...h)));
        expect(Math.hypot(...g)).to.be.at.most(((2 * (n - f)) / (n - 2 * f)) * radius + 1e-6);
      }),
    );
  });
});
