// Ridge least-squares attribution of group projections (bench/lib/attribution.ts): it recovers exact member
// contributions once the rounds pin them down, shrinks towards 0 by λ, and scales pay by contribution.
import { expect } from "chai";
import fc from "fast-check";
import { median, payFactors, ridgeAttribution, syntheticPay, type GroupRow } from "../../bench/lib/attribution";
import { InvalidInputError } from "../../src/errors";

// Every pair of 4 members together once (rows of 2), so AᵀA is well conditioned.
const pairs = (x: readonly number[]): GroupRow[] => x.flatMap((_, i) => x.flatMap((__, j) => (j > i ? [{ members: [i, j], y: x[i] + x[j] }] : [])));

describe("bench/lib/attribution", () => {
  it("fuzz: solves the ridge normal equations (AᵀA + λI) x = Aᵀy", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        (truth, lambda) => {
          const rows = pairs(truth);
          const x = ridgeAttribution(4, rows, lambda);
          for (let i = 0; i < 4; i++) {
            const mine = rows.filter((r) => r.members.includes(i));
            const lhs = lambda * x[i] + mine.reduce((a, r) => a + r.members.reduce((s, j) => s + x[j], 0), 0);
            const rhs = mine.reduce((a, r) => a + r.y, 0);
            expect(Math.abs(lhs - rhs)).to.be.below(1e-9 * (1 + Math.abs(rhs)));
          }
        },
      ),
    );
  });

  it("recovers the contributions as λ → 0 and shrinks them towards 0 as λ grows", () => {
    const truth = [1, 0, 2, -1];
    ridgeAttribution(4, pairs(truth), 1e-9).forEach((v, i) => expect(v).to.be.closeTo(truth[i], 1e-6));
    const shrunk = ridgeAttribution(4, pairs(truth), 3);
    expect(Math.abs(shrunk[2])).to.be.below(2);
    expect(() => ridgeAttribution(4, pairs(truth), 0)).to.throw(InvalidInputError, "lambda");
  });

  it("pays clamp(x / (τ · median), 0, 1), and everyone in full when the median is not positive", () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(payFactors([2, 1, 0.5, -1], [true, true, true, true], 0.5)).to.deep.equal([1, 1, 1, 0]);
    expect(payFactors([0.3, 1, 1, 1], [true, true, true, true], 0.5)[0]).to.be.closeTo(0.6, 1e-12);
    expect(payFactors([-1, -2, 0], [true, true, true])).to.deep.equal([1, 1, 1]);
    // A member never scored is paid in full and does not move the median.
    expect(payFactors([10, 1, 1], [false, true, true], 0.5)).to.deep.equal([1, 1, 1]);
  });

  it("a free-rider's share falls with the rounds, and an attacker against the aggregate earns nothing", () => {
    const base = { n: 20, groupSize: 4, malicious: 4, sigmaBetween: 0.3, sigmaWithin: 0.4, trials: 40, seed: 3 };
    const short = syntheticPay({ ...base, rounds: 5, attacker: 0 });
    const long = syntheticPay({ ...base, rounds: 40, attacker: 0 });
    expect(long.attackerShare).to.be.below(short.attackerShare);
    expect(syntheticPay({ ...base, rounds: 20, attacker: -0.5 }).attackerShare).to.be.below(0.05);
  });
});
