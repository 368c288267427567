import { expect } from "chai";
import { UnknownRuleError } from "../../src/errors";
import {
  alie,
  alieZ,
  attacks,
  freeRider,
  gaussianNoise,
  getAttack,
  ipm,
  labelFlip,
  normalQuantile,
  pickColludingMembers,
  scaling,
  signFlip,
} from "../../src/attacks";
import { seededRng } from "../../src/protocol";

const own = Float64Array.from([1, -2, 3]);
const honest = [Float64Array.from([1, 1, 1]), Float64Array.from([3, 3, 3])];
const ctx = { own, honest, n: 10, f: 2, rng: seededRng(1) };

describe("attacks", () => {
  it("sign-flip sends −λ · g", () => {
    expect(Array.from(signFlip(ctx))).to.deep.equal([-1, 2, -3]);
    expect(Array.from(signFlip(ctx, { scale: 4 }))).to.deep.equal([-4, 8, -12]);
  });

  it("scaling sends λ · g", () => {
    expect(Array.from(scaling(ctx, { scale: 3 }))).to.deep.equal([3, -6, 9]);
  });

  it("gaussian noise has roughly the requested standard deviation", () => {
    const big = { ...ctx, own: new Float64Array(20000) };
    const noise = gaussianNoise(big, { sigma: 2 });
    const sd = Math.sqrt(noise.reduce((s, x) => s + x * x, 0) / noise.length);
    expect(sd).to.be.closeTo(2, 0.05);
  });

  it("ALIE uses z = Φ⁻¹((n − s) / n) with s = ⌊n/2 + 1⌋ − f", () => {
    expect(normalQuantile(0.975)).to.be.closeTo(1.959964, 1e-6);
    expect(alieZ(10, 2)).to.be.closeTo(normalQuantile(0.6), 1e-12);
    const z = alieZ(10, 2);
    expect(Array.from(alie(ctx))).to.deep.equal([2 + z, 2 + z, 2 + z]);
  });

  it("IPM sends −ε times the honest mean", () => {
    expect(Array.from(ipm(ctx, { epsilon: 0.5 }))).to.deep.equal([-1, -1, -1]);
  });

  it("free-rider sends zeros or replays a stale update", () => {
    expect(Array.from(freeRider(ctx))).to.deep.equal([0, 0, 0]);
    expect(Array.from(freeRider(ctx, { mode: "stale", stale: Float64Array.from([7, 8, 9]) }))).to.deep.equal([7, 8, 9]);
  });

  it("label-flip maps y to numClasses − 1 − y", () => {
    expect(Array.from(labelFlip([0, 3, 9], 10))).to.deep.equal([9, 6, 0]);
    expect(() => labelFlip([10], 10)).to.throw(/labels\[0\]/);
  });

  it("colluding members all land in one group", () => {
    const groups = [
      [0, 4, 7],
      [1, 2, 5, 8],
      [3, 6, 9],
    ];
    const picked = pickColludingMembers(groups, 3);
    expect(groups.some((g) => picked.every((p) => g.includes(p)))).to.equal(true);
    expect(() => pickColludingMembers(groups, 5)).to.throw(/count/);
  });

  it("registers every attack by name", () => {
    expect(Object.keys(attacks)).to.include.members([
      "sign-flip",
      "scaling",
      "gaussian",
      "alie",
      "ipm",
      "free-rider",
      "label-flip",
      "bounded",
      "stale-free-rider",
      "intermittent",
    ]);
    expect(getAttack("alie").kind).to.equal("update");
    expect(() => getAttack("nope")).to.throw(UnknownRuleError);
  });
});
