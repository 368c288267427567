// The two parties of the in-process market simulation, trained with the product's own recipes:
// - a data owner (DO) trains as the worker does: public part and local head built with the worker's seed,
//   each round src/worker/trainer.ts trainRound with DEFAULT_RECIPE (src/worker/recipe.ts), flipped labels
//   for a label-flip attacker. Unlike the worker it can save and restore its head, so a benchmark can reuse a
//   round computed once for many configurations.
// - the model owner (MO) does what src/devnet/runMarket.ts and src/owner/applyRound.ts do: pretrain with
//   DEMO_RECIPE.pretrain, post encodeModel(publicWeights) at 2^scaleBits, and after each round set the
//   public part to the chain's model, fine-tune its private head with DEMO_RECIPE.finetune and evaluate.
import * as tf from "@tensorflow/tfjs";
import { getAttack } from "../../src/attacks";
import { dequantize } from "../../src/protocol/quantize";
import { encodeModel } from "../../src/owner/modelCodec";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { DEFAULT_RECIPE } from "../../src/worker/recipe";
import { trainRound } from "../../src/worker/trainer";
import {
  buildLocalHead,
  buildModel,
  buildPublicPart,
  evaluate,
  finetunePrivate,
  pretrain,
  publicWeights,
  setPublicWeights,
  type Dataset,
  type ModelConfig,
} from "../../src/ml";
import { secondsSince } from "./simReport";

/** A model's weights copied out of the backend. */
export type WeightSnapshot = { shape: number[]; values: Float32Array }[];

/** Copies every weight of a model (not shared with the backend). */
export function snapshotWeights(model: tf.LayersModel): WeightSnapshot {
  return model.getWeights().map((t) => ({ shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) }));
}

/** Restores weights saved by snapshotWeights. */
export function restoreWeights(model: tf.LayersModel, snapshot: WeightSnapshot): void {
  const tensors = snapshot.map((s) => tf.tensor(s.values, s.shape, "float32"));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** A data owner of the simulation: its shard, its worker seed, its public part and its local head. */
export class SimDataOwner {
  private readonly publicPart: tf.Sequential;
  private readonly head: tf.Sequential;
  private readonly initialHead: WeightSnapshot;
  private flipped: Uint8Array | undefined;

  /** Builds the public part and local head exactly as DataOwnerTrainer.create does for worker seed `seed`. */
  constructor(
    readonly index: number,
    readonly shard: Dataset,
    readonly seed: number,
    config: ModelConfig,
  ) {
    this.publicPart = buildPublicPart(config, seed);
    this.head = buildLocalHead(config, seed);
    this.initialHead = snapshotWeights(this.head);
  }

  /** The local head as it is now (the only state a DO keeps across rounds). */
  headState(): WeightSnapshot {
    return snapshotWeights(this.head);
  }

  /** Puts the local head back to a saved state, or to its initialisation when none is given. */
  restoreHead(state: WeightSnapshot = this.initialHead): void {
    restoreWeights(this.head, state);
  }

  /** One round of local training from the chain's model `q` (int32 lanes at 2^scaleBits): the float update. */
  async train(q: Uint32Array, scaleBits: number, round: number, labelFlip: boolean): Promise<Float64Array> {
    if (labelFlip && this.flipped === undefined) {
      const attack = getAttack("label-flip");
      if (attack.kind === "data") this.flipped = Uint8Array.from(attack.apply(this.shard.labels, this.shard.numClasses));
    }
    const recipe = { ...DEFAULT_RECIPE, labels: labelFlip ? this.flipped : undefined };
    return trainRound(this.publicPart, this.head, this.shard, { q, scaleBits, round, seed: this.seed }, recipe);
  }

  /** Frees the backend memory of the two models. */
  dispose(): void {
    this.publicPart.dispose();
    this.head.dispose();
  }
}

/** What the MO measures after a round. */
export interface OwnerRoundOutcome {
  accuracy: number;
  finetuneSeconds: number;
  evalSeconds: number;
}

/** The model owner: its model, its own samples and the test set it evaluates on. */
export class SimModelOwner {
  private constructor(
    private readonly model: tf.Sequential,
    private readonly own: Dataset,
    private readonly test: Dataset,
    private readonly pretrained: WeightSnapshot,
    /** The public part posted on-chain: uint32(int32(round(w · 2^scaleBits))). */
    readonly initialModel: Uint32Array,
    /** Test accuracy of the pretrained model (round 0). */
    readonly initialAccuracy: number,
    readonly pretrainSeconds: number,
  ) {}

  /** Builds the model with the demo's seed, pretrains it on `own` and encodes its public part for the chain. */
  static async pretrain(config: ModelConfig, own: Dataset, test: Dataset, scaleBits: number): Promise<SimModelOwner> {
    const model = buildModel(config, DEMO_RECIPE.seed);
    const start = performance.now();
    await pretrain(model, own, DEMO_RECIPE.pretrain);
    const pretrainSeconds = secondsSince(start);
    const initialAccuracy = evaluate(model, test);
    const initialModel = encodeModel(publicWeights(model), scaleBits);
    return new SimModelOwner(model, own, test, snapshotWeights(model), initialModel, initialAccuracy, pretrainSeconds);
  }

  /** Back to the pretrained model (the start of every simulated job). */
  reset(): void {
    restoreWeights(this.model, this.pretrained);
  }

  /** applyRound: public part from the chain's model, private head fine-tuned on the MO's samples, test accuracy. */
  async applyRound(q: Uint32Array, scaleBits: number): Promise<OwnerRoundOutcome> {
    let start = performance.now();
    setPublicWeights(this.model, Float32Array.from(dequantize(q, scaleBits)));
    await finetunePrivate(this.model, this.own, DEMO_RECIPE.finetune);
    const finetuneSeconds = secondsSince(start);
    start = performance.now();
    const accuracy = evaluate(this.model, this.test);
    return { accuracy, finetuneSeconds, evalSeconds: secondsSince(start) };
  }

  /** Frees the backend memory of the model. */
  dispose(): void {
    this.model.dispose();
  }
}
