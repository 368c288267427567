import { expect } from "chai";
import { readFileSync, writeFileSync } from "fs";
import path from "path";
import * as tf from "@tensorflow/tfjs";
import { ModelFormatError } from "../../src/errors";
import { buildModel, loadModel, MODEL_FILES, saveModel, splitIndex } from "../../src/ml";
import { tempDir, useWasm } from "./helpers";

describe("model files", () => {
  let tmp: ReturnType<typeof tempDir>;
  before(useWasm);
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it("round-trips topology, split and weights through a folder", async () => {
    const model = buildModel(undefined, 11);
    await saveModel(model, tmp.dir);
    const back = await loadModel(tmp.dir);
    expect(back.layers.map((l) => l.name)).to.deep.equal(model.layers.map((l) => l.name));
    expect(splitIndex(back)).to.equal(6);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 1);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (back.predict(x) as tf.Tensor).dataSync();
    a.forEach((v, i) => expect(b[i]).to.be.closeTo(v, 1e-6));
    x.dispose();
    model.dispose();
    back.dispose();
  });

  it("rejects malformed model.json, naming the file", async () => {
    await saveModel(buildModel(), tmp.dir);
    writeFileSync(path.join(tmp.dir, MODEL_FILES.json), "{ not json");
    await expectReject(loadModel(tmp.dir), /model\.json: not valid JSON/);
    writeFileSync(path.join(tmp.dir, MODEL_FILES.json), JSON.stringify({ modelTopology: {} }));
    await expectReject(loadModel(tmp.dir), /weightsManifest must be one group/);
  });

  it("names the field of a weight entry that does not fit", async () => {
    await saveModel(buildModel(), tmp.dir);
    const file = path.join(tmp.dir, MODEL_FILES.json);
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.weightsManifest[0].weights[1].dtype = "float16";
    writeFileSync(file, JSON.stringify(json));
    await expectReject(
      loadModel(tmp.dir),
      /model\.json: field "weightsManifest\[0\]\.weights\[1\]\.dtype" expected one of "float32", "int32", "bool", got "float16"/,
    );
  });

  it("rejects a weights file of the wrong size", async () => {
    await saveModel(buildModel(), tmp.dir);
    const file = path.join(tmp.dir, MODEL_FILES.weights);
    writeFileSync(file, readFileSync(file).subarray(4));
    await expectReject(loadModel(tmp.dir), /weights\.bin: has 57636 bytes, the manifest in model\.json needs 57640/);
  });

  it("rejects tensors whose shapes do not fit the topology", async () => {
    await saveModel(buildModel(), tmp.dir);
    const file = path.join(tmp.dir, MODEL_FILES.json);
    const json = JSON.parse(readFileSync(file, "utf8"));
    const specs = json.weightsManifest[0].weights;
    // Same byte count, wrong shape: [3,3,1,8] → [9,8].
    specs[0].shape = [9, 8];
    writeFileSync(file, JSON.stringify(json));
    await expectReject(loadModel(tmp.dir), /the weights do not fit the model topology/);
  });

  it("reports a missing folder", async () => {
    await expectReject(loadModel(path.join(tmp.dir, "absent")), /model\.json is missing/);
  });
});

async function expectReject(p: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ModelFormatError);
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail("expected a ModelFormatError");
}
