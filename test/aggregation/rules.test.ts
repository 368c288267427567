import { expect } from "chai";
import { InvalidInputError, TooFewUpdatesError, UnknownRuleError } from "../../src/errors";
import {
  aggregators,
  centeredClipping,
  coordinateMedian,
  geometricMedian,
  getAggregator,
  krum,
  mean,
  multiKrum,
  normClippedMean,
  trimmedMean,
  weightedMean,
} from "../../src/aggregation";

const rows = [
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [100, -100],
];

describe("aggregation/rules", () => {
  it("mean averages every coordinate", () => {
    expect(
      Array.from(
        mean([
          [1, 2],
          [3, 6],
        ]),
      ),
    ).to.deep.equal([2, 4]);
  });

  it("weighted mean uses the given weights", () => {
    expect(Array.from(weightedMean([[0], [10]], { weights: [3, 1] }))).to.deep.equal([2.5]);
  });

  it("median takes the middle value, or the midpoint for even counts", () => {
    expect(Array.from(coordinateMedian(rows))).to.deep.equal([3, 3]);
    expect(Array.from(coordinateMedian(rows.slice(0, 4)))).to.deep.equal([2.5, 3.5]);
  });

  it("trimmed mean drops floor(beta · n) values at each end", () => {
    expect(Array.from(trimmedMean(rows, { beta: 0.2 }))).to.deep.equal([3, 3]);
    expect(Array.from(trimmedMean(rows, { beta: 0 }))).to.deep.equal(Array.from(mean(rows)));
  });

  it("krum picks a vector from the dense cluster", () => {
    expect(Array.from(krum(rows, { f: 1 }))).to.deep.equal([2, 3]);
  });

  it("multi-krum averages the m best-scored vectors", () => {
    expect(Array.from(multiKrum(rows, { f: 1, m: 4 }))).to.deep.equal([2.5, 3.5]);
    expect(Array.from(multiKrum(rows, { f: 1, m: 1 }))).to.deep.equal(Array.from(krum(rows, { f: 1 })));
  });

  it("geometric median of symmetric points is their centre", () => {
    const g = geometricMedian([
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]);
    expect(g[0]).to.be.closeTo(0, 1e-9);
    expect(g[1]).to.be.closeTo(0, 1e-9);
  });

  it("norm clipping bounds each update's influence", () => {
    const v = normClippedMean(
      [
        [3, 4],
        [0, 0],
      ],
      { tau: 1 },
    );
    expect(v[0]).to.be.closeTo(0.3, 1e-12);
    expect(v[1]).to.be.closeTo(0.4, 1e-12);
  });

  it("centered clipping stays near the honest cluster", () => {
    const v = centeredClipping(rows);
    expect(v[0]).to.be.within(1, 5);
    expect(v[1]).to.be.within(1, 5);
  });

  it("registers every rule under its name", () => {
    expect(Object.keys(aggregators)).to.include.members(["mean", "median", "trimmed-mean", "geomedian", "krum", "multi-krum", "centered-clipping"]);
    expect(() => getAggregator("foo")).to.throw(UnknownRuleError);
  });

  describe("input validation", () => {
    for (const name of Object.keys(aggregators)) {
      const opts = { tau: 1 };
      it(`${name} rejects ragged rows, NaN, Infinity and no rows`, () => {
        const a = getAggregator(name);
        expect(() => a.aggregate([[1, 2], [3]], opts)).to.throw(InvalidInputError, /ragged/);
        expect(() => a.aggregate([[1, NaN]], opts)).to.throw(InvalidInputError, /updates\[0\]\[1\]/);
        expect(() => a.aggregate([[Infinity]], opts)).to.throw(InvalidInputError);
        expect(() => a.aggregate([], opts)).to.throw(InvalidInputError);
      });
    }

    it("krum and multi-krum need n > 2f + 2", () => {
      expect(() => krum(rows.slice(0, 4), { f: 1 })).to.throw(TooFewUpdatesError, /n > 2f \+ 2/);
      expect(() => multiKrum(rows.slice(0, 4), { f: 1 })).to.throw(TooFewUpdatesError);
    });

    it("rejects bad parameters, naming them", () => {
      expect(() => trimmedMean(rows, { beta: 0.5 })).to.throw(InvalidInputError, /beta/);
      expect(() => krum(rows, { f: -1 })).to.throw(InvalidInputError, /f/);
      expect(() => multiKrum(rows, { f: 1, m: 9 })).to.throw(InvalidInputError, /\bm\b/);
      expect(() => weightedMean(rows, { weights: [1] })).to.throw(InvalidInputError, /weights/);
      expect(() => normClippedMean(rows, {})).to.throw(InvalidInputError, /tau/);
      expect(() => geometricMedian(rows, { maxIterations: 0 })).to.throw(InvalidInputError, /maxIterations/);
    });
  });
});
