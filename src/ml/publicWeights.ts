// The public part as one flat Float32Array, the form in which it is posted on-chain and in
// which updates travel. Order: public layers in model order; within a layer its weights in
// tfjs order (kernel, then bias); within a tensor, row-major (last axis fastest). For the
// default CNN: pub_conv1 kernel [3,3,1,8], bias [8]; pub_conv2 kernel [3,3,8,16], bias [16];
// pub_dense kernel [400,32], bias [32] — 14,080 values.
import * as tf from "@tensorflow/tfjs";
import { WeightShapeError } from "../errors";
import { publicLayersOf } from "./model";

/** Name and shape of one public tensor, in flattening order. */
export interface WeightSlot {
  name: string;
  shape: number[];
  size: number;
}

function publicVariables(model: tf.LayersModel): tf.LayerVariable[] {
  return publicLayersOf(model).flatMap((layer) => layer.weights);
}

/** The public tensors of a model, in flattening order, with their original (unsuffixed) names. */
export function publicWeightSlots(model: tf.LayersModel): WeightSlot[] {
  return publicVariables(model).map((v) => ({
    name: v.originalName,
    shape: v.shape.map((d) => d as number),
    size: v.shape.reduce((a: number, b) => a * (b as number), 1),
  }));
}

/** Number of values in the public part. */
export function publicSize(model: tf.LayersModel): number {
  return publicWeightSlots(model).reduce((a, s) => a + s.size, 0);
}

/** The public weights flattened in the documented order. */
export function publicWeights(model: tf.LayersModel): Float32Array {
  const vars = publicVariables(model);
  const out = new Float32Array(vars.reduce((a, v) => a + v.read().size, 0));
  let offset = 0;
  for (const v of vars) {
    const values = v.read().dataSync() as Float32Array;
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}

function describe(slots: WeightSlot[]): string {
  return slots.map((s) => `${s.name} [${s.shape.join(",")}]`).join(", ");
}

/** Sets the public weights from a flat vector; throws WeightShapeError when the length differs. */
export function setPublicWeights(model: tf.LayersModel, values: Float32Array): void {
  const slots = publicWeightSlots(model);
  const expected = slots.reduce((a, s) => a + s.size, 0);
  if (!(values instanceof Float32Array)) {
    throw new WeightShapeError("public weights must be a Float32Array", { details: `got ${Object.prototype.toString.call(values)}` });
  }
  if (values.length !== expected) {
    throw new WeightShapeError(`public weights have ${values.length} values, the model's public part needs ${expected}`, {
      details: describe(slots),
    });
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new WeightShapeError(`public weight ${bad} is not finite (${values[bad]})`);
  const vars = publicVariables(model);
  let offset = 0;
  vars.forEach((v, i) => {
    const slot = slots[i];
    const t = tf.tensor(values.subarray(offset, offset + slot.size), slot.shape, "float32");
    v.write(t);
    t.dispose();
    offset += slot.size;
  });
}

/** Adds an update (same length and order as publicWeights) to the model's public part. */
export function applyPublicUpdate(model: tf.LayersModel, update: Float32Array): void {
  const current = publicWeights(model);
  if (update.length !== current.length) {
    throw new WeightShapeError(`update has ${update.length} values, the model's public part has ${current.length}`);
  }
  for (let i = 0; i < current.length; i++) current[i] += update[i];
  setPublicWeights(model, current);
}
