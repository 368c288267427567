import { expect } from "chai";
import { labelFlip } from "../../src/attacks";
import {
  buildLocalHead,
  buildModel,
  buildPublicPart,
  evaluate,
  finetunePrivate,
  loadMnist,
  pretrain,
  publicWeights,
  setPublicWeights,
  trainPublic,
} from "../../src/ml";
import { useWasm } from "./helpers";

describe("training", () => {
  const data = loadMnist({ split: "train", limit: 600 });
  const test = loadMnist({ split: "test", limit: 500 });
  before(useWasm);

  it("pretraining on a few hundred digits beats chance clearly", async () => {
    const model = buildModel(undefined, 2);
    await pretrain(model, data, { epochs: 2, batchSize: 32, lr: 0.003, seed: 1 });
    expect(evaluate(model, test)).to.be.above(0.5);
    model.dispose();
  });

  it("a data owner's round returns new − old public weights and reports progress", async () => {
    const model = buildModel(undefined, 2);
    const part = buildPublicPart(undefined, 9);
    const head = buildLocalHead(undefined, 9);
    const start = publicWeights(model);
    setPublicWeights(part, start);
    const phases = new Set<string>();
    const update = await trainPublic(part, head, data, {
      epochs: 1,
      batchSize: 64,
      lr: 0.002,
      headEpochs: 1,
      headLr: 0.01,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(update).to.be.instanceOf(Float32Array).with.length(start.length);
    const after = publicWeights(part);
    after.forEach((v, i) => expect(update[i]).to.be.closeTo(v - start[i], 1e-6));
    expect(Math.hypot(...update)).to.be.above(0);
    expect([...phases]).to.deep.equal(["head", "joint"]);
    [model, part, head].forEach((m) => m.dispose());
  });

  it("fine-tuning the private part leaves the public part unchanged", async () => {
    const model = buildModel(undefined, 5);
    const before = publicWeights(model);
    const headBefore = model.layers[6].getWeights()[0].dataSync().slice();
    await finetunePrivate(model, data, { epochs: 1, batchSize: 32, lr: 0.01 });
    expect(publicWeights(model)).to.deep.equal(before);
    expect(Array.from(model.layers[6].getWeights()[0].dataSync())).to.not.deep.equal(Array.from(headBefore));
    model.dispose();
  });

  it("trains on the labels it is given instead of the dataset's (the label-flip hook)", async () => {
    const part = buildPublicPart();
    const head = buildLocalHead();
    const update = await trainPublic(part, head, data, { epochs: 1, batchSize: 100, lr: 0.001, labels: Uint8Array.from(labelFlip(data.labels, 10)) });
    expect(update.length).to.equal(14080);
    await trainPublic(part, head, data, { epochs: 1, batchSize: 0, lr: 0.001 }).then(
      () => expect.fail("expected an error"),
      (err) => expect(String(err)).to.match(/batchSize must be a positive integer, got 0/),
    );
    [part, head].forEach((m) => m.dispose());
  });
});
