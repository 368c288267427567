import { expect } from "chai";
import fc from "fast-check";
import { QuantizationOverflowError } from "../../src/errors";
import { l2Norm } from "../../src/aggregation";
import { assertQuantizationParameters, clipBound, dequantize, quantize, seededRng } from "../../src/protocol";
import { clipToNorm } from "../../src/aggregation";

describe("protocol/quantize", () => {
  it("property: quantize→dequantize stays within 2^-s of the clipped update per element", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 1, max: 2 ** 24 }),
        fc.integer(),
        (x, scaleBits, clipNormQ, seed) => {
          const params = { scaleBits, clipNormQ };
          const q = quantize(x, params, seededRng(seed));
          const back = dequantize(q, scaleBits);
          const clipped = clipToNorm(Float64Array.from(x), clipBound(params));
          back.forEach((v, i) => expect(Math.abs(v - clipped[i])).to.be.at.most(2 ** -scaleBits));
          q.forEach((v) => expect(Math.abs(v | 0)).to.be.at.most(clipNormQ + 1));
        },
      ),
    );
  });

  it("rounds without bias", () => {
    const rng = seededRng(7);
    const params = { scaleBits: 0, clipNormQ: 1000 };
    let total = 0;
    const trials = 20000;
    for (let t = 0; t < trials; t++) total += quantize([0.3, -2.7], params, rng)[0] | 0;
    expect(total / trials).to.be.closeTo(0.3, 0.02);
  });

  it("clips to the L2 bound before scaling", () => {
    const q = quantize([30, 40], { scaleBits: 4, clipNormQ: 80 }, seededRng(1));
    expect(l2Norm(dequantize(q, 4))).to.be.closeTo(5, 0.2);
  });

  it("encodes negative values as two's complement", () => {
    expect(quantize([-1], { scaleBits: 2, clipNormQ: 100 }, seededRng(1))[0]).to.equal(2 ** 32 - 4);
  });

  it("refuses parameters where maxGroupSize · (clipNormQ + 1) reaches 2^31", () => {
    expect(() => assertQuantizationParameters({ scaleBits: 16, clipNormQ: 2 ** 27 }, 16)).to.throw(QuantizationOverflowError);
    expect(() => assertQuantizationParameters({ scaleBits: 16, clipNormQ: 2 ** 27 - 2 }, 16)).not.to.throw();
  });
});
