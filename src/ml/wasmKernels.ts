// Kernels the wasm backend lacks and that training our CNN needs, registered on top of it.
// Conv2DBackpropFilter is computed by the wasm Conv3DBackpropFilterV2 kernel with a depth of 1:
// the 4D tensors are viewed as 5D (same data, an extra axis of size 1).
// That wasm kernel is only correct for stride 1 (tfjs 4.22 bounds its output loops with
// DivFloor/DivCeil on values that need a true ceiling/floor), so a strided or explicitly padded
// call is rewritten as a stride-1 'valid' one: x is zero-padded, dy gets stride−1 zeros between
// its elements, and the kernel runs on those (exact, at stride² the work).
import * as tf from "@tensorflow/tfjs";
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { MlError } from "../errors";

const WASM = "wasm";

/** Names of the kernels this module adds to the wasm backend. */
export const ADDED_WASM_KERNELS = ["Conv2DBackpropFilter"] as const;

type Shape4 = [number, number, number, number];

function conv3dFilterGrad(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  pad: "same" | "valid",
  strides: [number, number],
  filterShape: Shape4,
): TensorInfo {
  const conv3d = tf.getKernel("Conv3DBackpropFilterV2", WASM);
  if (!conv3d) throw new MlError("the wasm backend has no Conv3DBackpropFilterV2 kernel to build on");
  const [b, h, w, c] = x.shape;
  const [db, oh, ow, oc] = dy.shape;
  const dw5 = conv3d.kernelFunc({
    inputs: {
      x: { dataId: x.dataId, dtype: x.dtype, shape: [b, 1, h, w, c] },
      dy: { dataId: dy.dataId, dtype: dy.dtype, shape: [db, 1, oh, ow, oc] },
    },
    backend,
    attrs: { strides: [1, ...strides], pad, filterShape: [1, ...filterShape] },
  }) as TensorInfo;
  return { dataId: dw5.dataId, dtype: dw5.dtype, shape: filterShape };
}

/** Rewrites a strided / explicitly padded filter gradient as a stride-1 'valid' one and runs it. */
function viaStrideOne(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): TensorInfo {
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, outChannels: oc, strideHeight: sh, strideWidth: sw } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, padInfo } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow) {
    throw new MlError("wasm Conv2DBackpropFilter: dy does not match the convolution's output", {
      details: `dy is [${dy.shape.join(",")}], expected [${b},${oh},${ow},${oc}]`,
    });
  }
  // Padded input: pad rows on top (left), zeros below (right) until every output position fits.
  const hp = Math.max(h + padInfo.top, (oh - 1) * sh + fh);
  const wp = Math.max(w + padInfo.left, (ow - 1) * sw + fw);
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const xp = new Float32Array(b * hp * wp * c);
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < h; r++) {
      const src = (n * h + r) * w * c;
      xp.set(xs.subarray(src, src + w * c), ((n * hp + r + padInfo.top) * wp + padInfo.left) * c);
    }
  }
  // Dilated gradient: dy[r, q] goes to (r·sh, q·sw) of a stride-1 output grid.
  const h1 = hp - fh + 1;
  const w1 = wp - fw + 1;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const dyd = new Float32Array(b * h1 * w1 * oc);
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        const src = ((n * oh + r) * ow + q) * oc;
        dyd.set(dys.subarray(src, src + oc), ((n * h1 + r * sh) * w1 + q * sw) * oc);
      }
    }
  }
  const xInfo = backend.makeOutput([b, hp, wp, c], "float32", undefined, xp);
  const dyInfo = backend.makeOutput([b, h1, w1, oc], "float32", undefined, dyd);
  try {
    return conv3dFilterGrad(backend, xInfo, dyInfo, "valid", [1, 1], attrs.filterShape);
  } finally {
    backend.disposeData(xInfo.dataId);
    backend.disposeData(dyInfo.dataId);
  }
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new MlError("wasm Conv2DBackpropFilter supports only NHWC data", { details: `got ${a.dataFormat}` });
  }
  if (x.dtype !== "float32" || dy.dtype !== "float32") {
    throw new MlError("wasm Conv2DBackpropFilter needs float32 tensors", { details: `got x ${x.dtype}, dy ${dy.dtype}` });
  }
  const strides: [number, number] = typeof a.strides === "number" ? [a.strides, a.strides] : a.strides;
  const wasm = backend as BackendWasm;
  if (strides[0] === 1 && strides[1] === 1 && (a.pad === "same" || a.pad === "valid")) {
    return conv3dFilterGrad(wasm, x, dy, a.pad, strides, a.filterShape);
  }
  return viaStrideOne(wasm, x, dy, a);
};

/** Registers the missing wasm kernels (idempotent; safe before or after the backend starts). */
export function registerWasmKernels(): void {
  if (tf.getKernel("Conv2DBackpropFilter", WASM)) return;
  tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: WASM, kernelFunc: conv2DBackpropFilter });
}
