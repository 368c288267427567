import { expect } from "chai";
import {
  applyPublicUpdate,
  buildLocalHead,
  buildModel,
  buildPublicPart,
  publicSize,
  publicWeightSlots,
  publicWeights,
  setPublicWeights,
  splitIndex,
} from "../../src/ml";
import { WeightShapeError } from "../../src/errors";
import { useWasm } from "./helpers";

describe("public weights", () => {
  before(useWasm);

  it("splits the default CNN before its last dense layer (14,080 public of 14,410 parameters)", () => {
    const model = buildModel();
    expect(splitIndex(model)).to.equal(6);
    expect(model.countParams()).to.equal(14410);
    expect(publicSize(model)).to.equal(14080);
    expect(publicWeightSlots(model).map((s) => `${s.name}:${s.shape.join("x")}`)).to.deep.equal([
      "pub_conv1/kernel:3x3x1x8",
      "pub_conv1/bias:8",
      "pub_conv2/kernel:3x3x8x16",
      "pub_conv2/bias:16",
      "pub_dense/kernel:400x32",
      "pub_dense/bias:32",
    ]);
    model.dispose();
  });

  it("round-trips from the model owner's model to a data owner's public part", () => {
    const model = buildModel(undefined, 3);
    const part = buildPublicPart(undefined, 4);
    const values = publicWeights(model);
    expect(publicWeights(part)).to.not.deep.equal(values);
    setPublicWeights(part, values);
    expect(publicWeights(part)).to.deep.equal(values);
    expect(splitIndex(part)).to.equal(part.layers.length);
    [model, part].forEach((m) => m.dispose());
  });

  it("flattens kernel then bias, row-major, layer by layer", () => {
    const part = buildPublicPart();
    const values = publicWeights(part);
    const kernel = part.layers[0].getWeights()[0].dataSync();
    const bias = part.layers[0].getWeights()[1].dataSync();
    expect(Array.from(values.subarray(0, 72))).to.deep.equal(Array.from(kernel));
    expect(Array.from(values.subarray(72, 80))).to.deep.equal(Array.from(bias));
    part.dispose();
  });

  it("rejects a vector of the wrong length, naming both sizes", () => {
    const part = buildPublicPart();
    expect(() => setPublicWeights(part, new Float32Array(14079))).to.throw(WeightShapeError, /have 14079 values, the model's public part needs 14080/);
    const bad = new Float32Array(14080);
    bad[5] = NaN;
    expect(() => setPublicWeights(part, bad)).to.throw(WeightShapeError, /public weight 5 is not finite/);
    part.dispose();
  });

  it("adds an update to the public part and leaves the private part alone", () => {
    const model = buildModel();
    const before = publicWeights(model);
    const head = model.layers[6].getWeights()[0].dataSync().slice();
    applyPublicUpdate(model, new Float32Array(before.length).fill(0.5));
    publicWeights(model).forEach((v, i) => expect(v).to.be.closeTo(before[i] + 0.5, 1e-6));
    expect(Array.from(model.layers[6].getWeights()[0].dataSync())).to.deep.equal(Array.from(head));
    expect(() => applyPublicUpdate(model, new Float32Array(3))).to.throw(WeightShapeError);
    model.dispose();
  });

  it("builds a local head that takes the public part's output", () => {
    const head = buildLocalHead();
    expect(head.inputs[0].shape).to.deep.equal([null, 32]);
    expect(head.outputs[0].shape).to.deep.equal([null, 10]);
    head.dispose();
  });
});
