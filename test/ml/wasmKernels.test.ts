import { expect } from "chai";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../src/ml";
import { useWasm } from "./helpers";

type Pad = "same" | "valid";

function backpropFilter(
  backend: string,
  x: Float32Array,
  xShape: number[],
  dy: Float32Array,
  dyShape: number[],
  strides: [number, number],
  pad: Pad,
  filterShape: [number, number, number, number],
): Float32Array {
  tf.setBackend(backend);
  const xt = tf.tensor(x, xShape);
  const dyt = tf.tensor(dy, dyShape);
  const out = tf.engine().runKernel(
    "Conv2DBackpropFilter",
    { x: xt, dy: dyt },
    {
      strides,
      pad,
      dataFormat: "NHWC",
      filterShape,
    },
  ) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  tf.dispose([xt, dyt, out]);
  return values;
}

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

describe("wasm Conv2DBackpropFilter", () => {
  before(useWasm);
  after(() => tf.setBackend("wasm"));

  it("fuzz: matches the cpu backend's kernel on random shapes, strides and paddings", () => {
    const shapes = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      height: fc.integer({ min: 3, max: 12 }),
      width: fc.integer({ min: 3, max: 12 }),
      inC: fc.constantFrom(1, 2, 3, 8),
      outC: fc.constantFrom(1, 4, 16),
      fh: fc.integer({ min: 1, max: 3 }),
      fw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 2 }),
      sw: fc.integer({ min: 1, max: 2 }),
      pad: fc.constantFrom<Pad>("same", "valid"),
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(shapes, (s) => {
        const oh = s.pad === "same" ? Math.ceil(s.height / s.sh) : Math.ceil((s.height - s.fh + 1) / s.sh);
        const ow = s.pad === "same" ? Math.ceil(s.width / s.sw) : Math.ceil((s.width - s.fw + 1) / s.sw);
        const xShape = [s.batch, s.height, s.width, s.inC];
        const dyShape = [s.batch, oh, ow, s.outC];
        const x = random(
          xShape.reduce((a, b) => a * b),
          s.seed,
        );
        const dy = random(
          dyShape.reduce((a, b) => a * b),
          s.seed + 1,
        );
        const filterShape: [number, number, number, number] = [s.fh, s.fw, s.inC, s.outC];
        const strides: [number, number] = [s.sh, s.sw];
        const args = [x, xShape, dy, dyShape, strides, s.pad, filterShape] as const;
        const wasm = backpropFilter("wasm", ...args);
        const cpu = backpropFilter("cpu", ...args);
        expect(wasm.length).to.equal(cpu.length);
        cpu.forEach((v, i) => expect(wasm[i]).to.be.closeTo(v, 1e-4 * (1 + Math.abs(v))));
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it("gives conv2d filter gradients equal to the cpu backend's", () => {
    const x = random(2 * 9 * 9 * 3, 1);
    const f = random(3 * 3 * 3 * 5, 2);
    const grad = (backend: string): Float32Array => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const xt = tf.tensor4d(x, [2, 9, 9, 3]);
        const g = tf.grad((ft: tf.Tensor) =>
          tf
            .conv2d(xt, ft as tf.Tensor4D, 2, "same")
            .square()
            .sum(),
        );
        return g(tf.tensor4d(f, [3, 3, 3, 5])).dataSync() as Float32Array;
      });
    };
    const wasm = grad("wasm");
    grad("cpu").forEach((v, i) => expect(wasm[i]).to.be.closeTo(v, 1e-3 * (1 + Math.abs(v))));
  });

  it("matches the cpu backend's kernel with explicit padding", () => {
    const x = random(2 * 7 * 6 * 2, 3);
    const dy = random(2 * 3 * 3 * 3, 4);
    const run = (backend: string): Float32Array => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const out = tf.engine().runKernel(
          "Conv2DBackpropFilter",
          { x: tf.tensor4d(x, [2, 7, 6, 2]), dy: tf.tensor4d(dy, [2, 3, 3, 3]) },
          {
            strides: [2, 2],
            pad: [
              [0, 0],
              [1, 0],
              [0, 1],
              [0, 0],
            ],
            dataFormat: "NHWC",
            filterShape: [3, 3, 2, 3],
          },
        ) as tf.Tensor;
        return out.dataSync() as Float32Array;
      });
    };
    const wasm = run("wasm");
    run("cpu").forEach((v, i) => expect(wasm[i]).to.be.closeTo(v, 1e-4 * (1 + Math.abs(v))));
  });
});
