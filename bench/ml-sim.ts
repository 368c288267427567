// In-process simulation of the market's ML loop, used to find the training recipe:
// the model owner (MO) pretrains on a small slice of MNIST, data owners (DOs) with Dirichlet
// label-skewed shards train the public part with local heads, updates are clipped and
// quantized as in docs/PROTOCOL.md (L2 clip, ×2^16, unbiased stochastic rounding to int32),
// aggregated (plain mean, or coordinate median over the means of groups of 3), and the MO
// applies the aggregate, fine-tunes its private head on its own slice and evaluates on the
// full 10k MNIST test set. Run: npx ts-node --transpile-only bench/ml-sim.ts [key=value ...]
// Writes bench/results/ml-sim.json (or the file named by out=...).
import { mkdirSync, writeFileSync } from "fs";
import path from "path";
import {
  applyPublicUpdate, buildLocalHead, buildModel, buildPublicPart, classCounts, createRng, evaluate,
  finetunePrivate, initBackend, loadMnist, partitionDataset, pretrain, publicWeights, selectSamples,
  setPublicWeights, trainPublic, DEFAULT_MODEL_CONFIG, type Dataset, type ModelConfig, type Rng,
} from "../src/ml";

const DEFAULTS = {
  seed: 7,
  dos: 6,
  rounds: 3,
  alpha: 0.5, // Dirichlet concentration of the label skew; 0 gives an iid split
  hidden: 32, // units of the public dense layer (the features the private head sees)
  doPool: 36000, // train samples split between the DOs (disjoint from the MO's slice)
  moSlice: 1000, // labelled samples the MO owns
  pretrainSamples: 1000, // the part of the MO slice used to pretrain
  pretrainEpochs: 1,
  pretrainLr: 0.00175,
  pretrainBatch: 32,
  doEpochs: 1,
  doBatch: 32,
  doLr: 0.003,
  headEpochs: 3,
  headLr: 0.01,
  serverLr: 1, // every DO scales its update by this before clipping (a server learning rate)
  sharedHeadInit: 0, // 1: every DO's local head starts from the same seeded initialisation
  moEpochs: 20,
  moBatch: 32,
  moLr: 0.01,
  scaleBits: 16,
  clipNorm: 8, // L2 bound C of an update (0: no clipping, to measure norms)
  rules: "mean,median", // comma-separated: mean (of all updates), median (of group means, groups of 3)
  groupSize: 3,
  out: "ml-sim.json", // file name under bench/results
};
type SimConfig = typeof DEFAULTS;

function parseConfig(argv: string[]): SimConfig {
  const config: Record<string, number | string> = { ...DEFAULTS };
  for (const arg of argv) {
    const [key, value] = arg.split("=");
    if (!(key in DEFAULTS) || value === undefined) throw new Error(`unknown option ${arg}; options: ${Object.keys(DEFAULTS).join(", ")}`);
    config[key] = typeof DEFAULTS[key as keyof SimConfig] === "number" ? Number(value) : value;
  }
  return config as SimConfig;
}

function l2(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** PROTOCOL.md quantization: clip to ‖x‖ ≤ C, scale by 2^s, round stochastically without bias. */
function quantize(update: Float32Array, clipNorm: number, scaleBits: number, rng: Rng): Int32Array {
  const norm = l2(update);
  const factor = (clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1) * 2 ** scaleBits;
  return Int32Array.from(update, (x) => {
    const v = x * factor;
    const lo = Math.floor(v);
    return lo + (rng.next() < v - lo ? 1 : 0);
  });
}

/** The contract's group mean: lane-wise sum, divided by the group size, truncated toward zero. */
function groupMean(members: Int32Array[]): Int32Array {
  return Int32Array.from(members[0], (_, i) => Math.trunc(members.reduce((a, m) => a + m[i], 0) / members.length));
}

/** The contract's median rule over group means (even count: mean of the two middle values, truncated). */
function coordinateMedian(means: Int32Array[]): Int32Array {
  const e = means.length;
  return Int32Array.from(means[0], (_, i) => {
    const v = means.map((m) => m[i]).sort((a, b) => a - b);
    return e % 2 === 1 ? v[(e - 1) / 2] : Math.trunc((v[e / 2 - 1] + v[e / 2]) / 2);
  });
}

/** PROTOCOL.md group assignment shape: a random permutation dealt round-robin into floor(a/g) groups. */
function groupsOf(count: number, groupSize: number, rng: Rng): number[][] {
  const perm = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const m = Math.max(1, Math.floor(count / groupSize));
  const groups: number[][] = Array.from({ length: m }, () => []);
  perm.forEach((member, p) => groups[p % m].push(member));
  return groups;
}

function aggregate(rule: string, updates: Int32Array[], groupSize: number, rng: Rng): Int32Array {
  if (rule === "mean") return groupMean(updates);
  if (rule === "median") return coordinateMedian(groupsOf(updates.length, groupSize, rng).map((g) => groupMean(g.map((i) => updates[i]))));
  throw new Error(`unknown rule ${rule}`);
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

interface RoundResult {
  round: number;
  accuracy: number;
  doSeconds: number[];
  doTotalSeconds: number;
  moSeconds: number;
  updateNorms: number[];
  clipped: number;
}

async function runRule(rule: string, c: SimConfig, mo: Dataset, shards: Dataset[], test: Dataset) {
  const rng = createRng(c.seed * 31 + 1);
  const arch: ModelConfig = { ...DEFAULT_MODEL_CONFIG, hiddenUnits: c.hidden };
  const model = buildModel(arch, c.seed);
  let t0 = performance.now();
  await pretrain(model, selectSamples(mo, Array.from({ length: c.pretrainSamples }, (_, i) => i)), {
    epochs: c.pretrainEpochs, batchSize: c.pretrainBatch, lr: c.pretrainLr, seed: c.seed,
  });
  const initial = { accuracy: evaluate(model, test), seconds: seconds(t0) };
  console.log(`[${rule}] pretrained: test accuracy ${initial.accuracy.toFixed(4)} (${initial.seconds} s)`);
  // The public part lives on-chain as int32 at scale 2^s.
  const scale = 2 ** c.scaleBits;
  const onChain = Float32Array.from(publicWeights(model), (w) => Math.round(w * scale) / scale);
  setPublicWeights(model, onChain);
  const trunks = shards.map((_, i) => buildPublicPart(arch, c.seed + 100 + i));
  const heads = shards.map((_, i) => buildLocalHead(arch, c.seed + 200 + (c.sharedHeadInit ? 0 : i)));
  const rounds: RoundResult[] = [];
  for (let r = 0; r < c.rounds; r++) {
    const global = publicWeights(model);
    const quantized: Int32Array[] = [];
    const doSeconds: number[] = [];
    const updateNorms: number[] = [];
    for (let i = 0; i < shards.length; i++) {
      t0 = performance.now();
      setPublicWeights(trunks[i], global);
      const update = await trainPublic(trunks[i], heads[i], shards[i], {
        epochs: c.doEpochs, batchSize: c.doBatch, lr: c.doLr, headEpochs: c.headEpochs, headLr: c.headLr, seed: 1000 * r + i,
      });
      if (c.serverLr !== 1) update.forEach((v, k) => (update[k] = v * c.serverLr));
      doSeconds.push(seconds(t0));
      updateNorms.push(Math.round(l2(update) * 1000) / 1000);
      quantized.push(quantize(update, c.clipNorm, c.scaleBits, rng));
    }
    t0 = performance.now();
    const agg = aggregate(rule, quantized, c.groupSize, rng);
    applyPublicUpdate(model, Float32Array.from(agg, (q) => q / scale));
    await finetunePrivate(model, mo, { epochs: c.moEpochs, batchSize: c.moBatch, lr: c.moLr, seed: r });
    const accuracy = evaluate(model, test);
    const result: RoundResult = {
      round: r + 1, accuracy, doSeconds, doTotalSeconds: Math.round(doSeconds.reduce((a, b) => a + b, 0) * 100) / 100,
      moSeconds: seconds(t0), updateNorms, clipped: updateNorms.filter((n) => c.clipNorm > 0 && n > c.clipNorm).length,
    };
    rounds.push(result);
    console.log(`[${rule}] round ${r + 1}: accuracy ${accuracy.toFixed(4)}, DO training ${result.doTotalSeconds} s total, ` +
      `MO ${result.moSeconds} s, update norms ${updateNorms.join(" ")}`);
  }
  model.dispose();
  [...trunks, ...heads].forEach((m) => m.dispose());
  return { rule, initial, rounds };
}

async function main(): Promise<void> {
  const c = parseConfig(process.argv.slice(2));
  const started = performance.now();
  const backend = await initBackend();
  const train = loadMnist({ split: "train" });
  const test = loadMnist({ split: "test" });
  const order = createRng(c.seed).shuffle(Array.from({ length: train.n }, (_, i) => i));
  const mo = selectSamples(train, order.slice(0, c.moSlice));
  const pool = selectSamples(train, order.slice(c.moSlice, c.moSlice + c.doPool));
  const scheme = c.alpha > 0 ? { kind: "dirichlet" as const, alpha: c.alpha, minPerClient: 200 } : { kind: "iid" as const };
  const shards = partitionDataset(pool, c.dos, scheme, { seed: c.seed });
  shards.forEach((s, i) => console.log(`DO ${i}: ${s.n} samples, class counts ${classCounts(s).join(" ")}`));
  const results = [];
  for (const rule of c.rules.split(",")) results.push(await runRule(rule, c, mo, shards, test));
  const maxNorm = Math.max(...results.flatMap((r) => r.rounds.flatMap((x) => x.updateNorms)));
  const out = {
    date: new Date().toISOString(), backend, config: c, testSet: "MNIST t10k, all 10,000 images",
    shards: shards.map((s) => ({ n: s.n, classCounts: classCounts(s) })),
    results, maxHonestUpdateNorm: maxNorm, recommendedClipNorm: Math.ceil(maxNorm * 1.5 * 10) / 10,
    wallSeconds: seconds(started),
  };
  const file = path.join(__dirname, "results", c.out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`max honest update norm ${maxNorm}; recommended clip ${out.recommendedClipNorm}; wall ${out.wallSeconds} s; wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
