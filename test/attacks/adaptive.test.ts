// Attacks that know the market's mechanisms: the bounded attacker never takes its group over the norm
// bound (so it is never excluded, never convicted), yet pushes against the honest direction as hard as the
// bound allows; the intermittent attacker behaves on schedule; the stale free-rider replays the last aggregate.
import { expect } from "chai";
import fc from "fast-check";
import { InvalidInputError } from "../../src/errors";
import { bounded, getAttack, intermittent, staleFreeRider } from "../../src/attacks";
import { seededRng } from "../../src/protocol";

const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const add = (vs: Float64Array[]) => vs.reduce((s, v) => Float64Array.from(s, (x, i) => x + v[i]), new Float64Array(vs[0].length));

describe("adaptive attacks", () => {
  it("bounded: the group sum with its attackers stays within the bound, at (1 − margin) of it when the bound binds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (honestCount, attackers, seed, clip) => {
          const rng = seededRng(seed);
          const d = 12;
          const unit = (v: Float64Array) => Float64Array.from(v, (x) => (x * clip * rng()) / Math.max(norm(v), 1e-12));
          const group = Array.from({ length: honestCount }, () => unit(Float64Array.from({ length: d }, () => rng() - 0.3)));
          const size = honestCount + attackers;
          const sent = bounded({ own: group[0], honest: group, n: 20, f: 4, group, groupAttackers: attackers, groupBound: size * clip, groupSize: size });
          const total = norm(add([...group, ...Array.from({ length: attackers }, () => sent)]));
          expect(total).to.be.at.most(size * clip * (1 + 1e-9));
          // It opposes the honest mean.
          const mean = add(group);
          expect(sent.reduce((s, x, i) => s + x * mean[i], 0)).to.be.at.most(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("bounded: uses nearly all of the bound when the honest members leave room", () => {
    const h = Float64Array.from([1, 0, 0]);
    const sent = bounded({ own: h, honest: [h], n: 9, f: 1, group: [h, h], groupAttackers: 1, groupBound: 3, groupSize: 3 }, { margin: 0 });
    // ‖2h − λ e1‖ = 3 → λ = 5: sends (−5, 0, 0), the sum is (−3, 0, 0).
    expect(Array.from(sent, (x) => x + 0)).to.deep.equal([-5, 0, 0]);
  });

  it("bounded: without the group's updates it sends the clip norm against the honest mean, and names what it lacks", () => {
    const h = Float64Array.from([3, 4]);
    const sent = bounded({ own: h, honest: [h], n: 9, f: 1, groupBound: 6, groupSize: 3 });
    expect(sent[0]).to.be.closeTo(-1.2, 1e-12);
    expect(sent[1]).to.be.closeTo(-1.6, 1e-12);
    expect(() => bounded({ own: h, honest: [h], n: 9, f: 1 })).to.throw(InvalidInputError, /groupBound/);
    expect(() => bounded({ own: h, honest: [h], n: 9, f: 1, groupBound: 6 })).to.throw(InvalidInputError, /groupSize/);
    expect(() => bounded({ own: h, honest: [h], n: 9, f: 1, groupBound: 6, groupSize: 3 }, { margin: 1 })).to.throw(InvalidInputError, /margin/);
  });

  it("intermittent: its own update in rounds r ≡ 0 mod period, the base attack in the others", () => {
    const own = Float64Array.from([1, -2]);
    const at = (round: number) => Array.from(intermittent({ own, honest: [own], n: 9, f: 1, round }, { period: 3, scale: 10 }));
    expect([0, 1, 2, 3].map(at)).to.deep.equal([
      [1, -2],
      [10, -20],
      [10, -20],
      [1, -2],
    ]);
    expect(Array.from(intermittent({ own, honest: [own], n: 9, f: 1, round: 1 }, { base: "sign-flip" }))).to.deep.equal([-1, 2]);
    expect(() => intermittent({ own, honest: [own], n: 9, f: 1 })).to.throw(InvalidInputError, /round/);
    expect(() => intermittent({ own, honest: [own], n: 9, f: 1, round: 1 }, { base: "label-flip" })).to.throw(InvalidInputError, /base/);
    expect(() => intermittent({ own, honest: [own], n: 9, f: 1, round: 1 }, { base: "intermittent" })).to.throw(InvalidInputError, /base/);
    expect(getAttack("intermittent").kind).to.equal("update");
  });

  it("stale free-rider: the previous aggregate, perturbed by a few percent of its rms; zero noise without one", () => {
    const last = Float64Array.from({ length: 400 }, (_, i) => Math.sin(i));
    const sent = staleFreeRider({ own: new Float64Array(400), honest: [], n: 9, f: 1, rng: seededRng(3), lastAggregate: last });
    const diff = Float64Array.from(sent, (x, i) => x - last[i]);
    const rms = (v: Float64Array) => norm(v) / Math.sqrt(v.length);
    expect(rms(diff) / rms(last)).to.be.within(0.04, 0.06);
    expect(Array.from(staleFreeRider({ own: new Float64Array(3), honest: [], n: 9, f: 1 }))).to.deep.equal([0, 0, 0]);
    expect(() => staleFreeRider({ own: new Float64Array(3), honest: [], n: 9, f: 1, lastAggregate: new Float64Array(2) })).to.throw(
      InvalidInputError,
      /lastAggregate/,
    );
  });
});
