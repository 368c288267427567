// The demo's model-owner recipe, measured with bench/accuracy.ts (docs/MODEL.md, docs/RESULTS.md): the owner pretrains one
// epoch on 1,000 samples (about 60% test accuracy, the OmniLytics starting point) and after each round
// fine-tunes its private head for 20 epochs on the same samples. Updates are clipped to L2 norm 8 (the
// largest honest norm measured was 4.6).
import { parseEther } from "ethers";
import type { TrainOptions } from "../ml";
import type { JobTerms } from "./postJob";

export const DEMO_RECIPE = {
  seed: 7,
  ownerSamples: 1000,
  samplesPerDataOwner: 6000,
  minSamplesPerDataOwner: 200,
  pretrain: { epochs: 1, batchSize: 32, lr: 0.00175, seed: 7 } satisfies TrainOptions,
  finetune: { epochs: 20, batchSize: 32, lr: 0.01 } satisfies TrainOptions,
  terms: {
    task: "mnist",
    rewardPerRound: parseEther("0.01"),
    stake: parseEther("0.05"),
    durations: { join: 600, commit: 120, submit: 600, reveal: 60, aggregate: 600 },
    rule: "median",
    scaleBits: 16,
    clipNorm: 8,
  } satisfies Omit<JobTerms, "token" | "numDOs" | "groupSize" | "rounds">,
};
