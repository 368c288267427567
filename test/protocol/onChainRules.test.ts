import { expect } from "chai";
import fc from "fast-check";
import { bigintMedian, onChainRule } from "../../src/protocol";

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

describe("protocol/onChainRules", () => {
  it("median truncates the midpoint of an even count toward zero", () => {
    expect(onChainRule([-3, -2], { rule: "median" })).to.equal(-2);
    expect(onChainRule([2, 3], { rule: "median" })).to.equal(2);
    expect(onChainRule([2 ** 31 - 1, 2 ** 31 - 1], { rule: "median" })).to.equal(2 ** 31 - 1);
  });

  it("trimmed mean drops floor(e · trimBps / 10000) at each end and truncates toward zero", () => {
    expect(onChainRule([-1, -1, 0], { rule: "trimmed-mean", trimBps: 0 })).to.equal(0);
    expect(onChainRule([1, 2, 3, 100, -100], { rule: "trimmed-mean", trimBps: 2000 })).to.equal(2);
  });

  it("property: both rules return an int32 between the smallest and largest value", () => {
    fc.assert(
      fc.property(fc.array(int32, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 4999 }), (values, trimBps) => {
        for (const rule of [{ rule: "median" as const }, { rule: "trimmed-mean" as const, trimBps }]) {
          const r = onChainRule(values, rule);
          expect(Number.isInteger(r)).to.equal(true);
          expect(r).to.be.within(Math.min(...values), Math.max(...values));
        }
      }),
    );
  });

  it("rejects trimBps of 5000 or more and non-int32 values", () => {
    expect(() => onChainRule([1], { rule: "trimmed-mean", trimBps: 5000 })).to.throw(/trimBps/);
    expect(() => onChainRule([2 ** 31], { rule: "median" })).to.throw(/values\[0\]/);
  });

  it("takes the bigint median with the same midpoint rule", () => {
    expect(bigintMedian([5n, 1n, 2n, 10n])).to.equal(3n);
    expect(bigintMedian([2n ** 80n, 0n, 1n])).to.equal(1n);
  });
});
