// The data owner's local training: set the public part from the chain's model, train it with the
// worker's own local head on its private shard, and return the update — or, in test mode, the
// update an attacker would send instead.
import type * as tf from "@tensorflow/tfjs";
import { getAttack, type AttackParameters } from "../attacks";
import { dequantize } from "../protocol";
import {
  buildLocalHead,
  buildPublicPart,
  initBackend,
  loadLocalData,
  publicSize,
  setPublicWeights,
  trainPublic,
  type Dataset,
  type ModelConfig,
  type TrainProgress,
  type TrainPublicOptions,
} from "../ml";

/** How a data owner trains each round. */
export interface TrainerOptions {
  /** A shard folder (IDX) or a CSV file. */
  shardDir: string;
  model: ModelConfig;
  epochs: number;
  batchSize: number;
  lr: number;
  headEpochs?: number;
  headLr?: number;
  /**
   * Test mode: behave as this attack from src/attacks (e.g. "sign-flip"). With `peers` (other workers' state
   * folders) the attacker is omniscient: it reads the updates they saved for the round before it attacks.
   */
  attack?: { name: string; params: AttackParameters; n: number; f: number; peers?: string[]; peerWaitMs?: number };
  seed: number;
  onProgress?: (p: TrainProgress) => void;
}

/** Where a round's training starts: the chain's model (int32 lanes at 2^scaleBits), the round and the worker's seed. */
export interface RoundStart {
  q: Uint32Array;
  scaleBits: number;
  round: number;
  seed: number;
}

/**
 * One round of a data owner's local training: the public part set from the chain's model, trained with the
 * local head on `data`, batches shuffled with seed `seed · 1000 + round`; returns the float update.
 */
export async function trainRound(
  publicPart: tf.Sequential,
  head: tf.Sequential,
  data: Dataset,
  start: RoundStart,
  recipe: Omit<TrainPublicOptions, "seed">,
): Promise<Float64Array> {
  setPublicWeights(publicPart, Float32Array.from(dequantize(start.q, start.scaleBits)));
  return Float64Array.from(await trainPublic(publicPart, head, data, { ...recipe, seed: start.seed * 1000 + start.round }));
}

/** A data owner's model state across rounds: the public part and a local head it keeps. */
export class DataOwnerTrainer {
  private lastModel: Uint32Array | undefined;

  private constructor(
    private readonly opts: TrainerOptions,
    private readonly data: Dataset,
    private readonly publicPart: tf.Sequential,
    private readonly head: tf.Sequential,
    private readonly labels: Uint8Array | undefined,
  ) {}

  /** Loads the shard, starts the ML backend and builds the public part and local head. */
  static async create(opts: TrainerOptions): Promise<DataOwnerTrainer> {
    await initBackend();
    const data = loadLocalData(opts.shardDir);
    const attack = opts.attack ? getAttack(opts.attack.name) : undefined;
    const labels = attack?.kind === "data" ? Uint8Array.from(attack.apply(data.labels, data.numClasses)) : undefined;
    return new DataOwnerTrainer(opts, data, buildPublicPart(opts.model, opts.seed), buildLocalHead(opts.model, opts.seed), labels);
  }

  /** Test mode: the state folders an omniscient attacker reads the other workers' updates from, and how long it waits for them. */
  get peerFolders(): { dirs: string[]; waitMs: number } | undefined {
    const a = this.opts.attack;
    return a?.peers && a.peers.length > 0 ? { dirs: a.peers, waitMs: a.peerWaitMs ?? 120_000 } : undefined;
  }

  /** Number of values in the public part this worker trains (must equal the job's paramCount). */
  get publicSize(): number {
    return publicSize(this.publicPart);
  }

  /**
   * Whether this worker clips its update to the job's norm. Test mode's update attackers do not: a modified
   * worker would not, and the contract's norm bound on group sums is what must stop them.
   */
  get clips(): boolean {
    return !(this.opts.attack && getAttack(this.opts.attack.name).kind === "update");
  }

  /**
   * Trains one round from the public model `q` (int32 lanes at scale 2^scaleBits); returns the float update to
   * send. `view` is what a test-mode attacker knows of its group: its size and the job's clip norm.
   */
  async update(
    q: Uint32Array,
    scaleBits: number,
    round: number,
    view: { groupSize?: number; clipNorm?: number; peers?: () => Promise<Float64Array[]> } = {},
  ): Promise<Float64Array> {
    const { epochs, batchSize, lr, headEpochs, headLr, seed, onProgress } = this.opts;
    const recipe = { epochs, batchSize, lr, headEpochs, headLr, labels: this.labels, onProgress };
    const update = await trainRound(this.publicPart, this.head, this.data, { q, scaleBits, round, seed }, recipe);
    const attack = this.opts.attack && getAttack(this.opts.attack.name);
    if (!attack || attack.kind !== "update") return update;
    // Only a test-mode attacker keeps the last public model (a copy of d lanes) to derive the last aggregate.
    const previous = this.lastModel;
    this.lastModel = q.slice();
    // Unless omniscient (view.peers), a worker attacker knows only its own honest update; the last aggregate
    // is the change of the public model since the round it last trained on.
    const { params, n, f } = this.opts.attack!;
    const lastAggregate = previous?.length === q.length ? Float64Array.from(q, (x, e) => ((x - previous[e]) | 0) / 2 ** scaleBits) : undefined;
    const groupBound = view.groupSize !== undefined && view.clipNorm !== undefined ? view.groupSize * view.clipNorm : undefined;
    const peers = view.peers ? await view.peers() : [];
    const honest = peers.length > 0 ? peers : [update];
    return attack.apply({ own: update, honest, n, f, round, groupSize: view.groupSize, groupBound, lastAggregate }, params);
  }
}
