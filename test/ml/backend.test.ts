import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { BackendError } from "../../src/errors";
import { initBackend } from "../../src/ml";
import { useWasm } from "./helpers";

describe("backend selection", () => {
  before(useWasm);
  after(() => tf.setBackend("wasm"));

  it("starts wasm when tfjs-node is absent and returns the same result on every call", async () => {
    const first = await initBackend();
    expect(first.name).to.equal("wasm");
    expect(await initBackend({ prefer: "wasm" })).to.equal(first);
  });

  it("refuses to switch to another backend once one has started", async () => {
    try {
      await initBackend({ prefer: "cpu" });
      expect.fail("expected a BackendError");
    } catch (err) {
      expect(err).to.be.instanceOf(BackendError);
      expect((err as Error).message).to.match(/already started as wasm; cannot switch to cpu/);
    }
  });
});
