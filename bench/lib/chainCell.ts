// One benchmark configuration end to end on a Hardhat chain: open a job at d public parameters and n data
// owners (g, median rule), play one round with the driver, check the on-chain aggregate and inlier set
// against the protocol core, and report gas by phase, the largest transaction, the EIP-7623 calldata
// floor of the bytes posted, and where the wall time went. A configuration the contract refuses is
// reported as refused with the decoded custom error.
import { createHash } from "crypto";
import { readdirSync, readFileSync } from "fs";
import path from "path";
import { ZeroAddress, ZeroHash, parseEther } from "ethers";
import { ContractRevertError } from "../../src/errors/chain";
import { addLanes, aggregateGroupSums, packWords, quantize, seededRng, wordCount } from "../../src/protocol";
import { fetchRoundAggregate, fetchSubmissions, readRoundState, TX_GAS_CAP, type JobParameters, type TxCost } from "../../src/chain";
import { AggregateLogic__factory, JobLogic__factory, OmniMarket__factory, RoundLogic__factory } from "../../typechain-types";
import { openJob, runRound, type BenchChain, type RoundCosts, type RoundMarks } from "./driver";

/** The configuration of one cell. */
export interface CellConfig {
  d: number;
  n: number;
  g: number;
  /** Members dropped after committing (the first member of group 0, so its group stays eligible with g ≥ 4). */
  dropouts: 0 | 1;
  /** Data owners acting at once (1: one after another). */
  concurrency?: number;
}

/** Gas and count of one phase's transactions. */
export interface PhaseGas {
  txs: number;
  gas: string;
  maxTxGas: string;
}

/** What a finished cell reports. */
export interface CellResult {
  status: "done" | "refused" | "failed";
  config: CellConfig;
  [key: string]: unknown;
}

const SCALE_BITS = 16;
const CLIP_NORM_Q = 4 << SCALE_BITS;

// Phase windows long enough that no phase of the largest cell (1M × 100: 29 minutes of submissions
// here) closes under it; a phase ends early once every member has acted, so a long window
// costs no wall time and no gas in the round.
const PHASE_WINDOW = 86_400;

/** The job parameters of a cell (as bench/gas.ts always used). */
export function cellParams({ d, n, g }: CellConfig): JobParameters {
  return {
    taskTag: ZeroHash,
    modelCommitment: ZeroHash,
    token: ZeroAddress,
    numDOs: n,
    groupSize: g,
    rounds: 1,
    paramCount: d,
    rewardPerRound: parseEther("0.001"),
    stake: parseEther("0.01"),
    aggregationFee: 0n,
    joinDuration: 3600,
    commitDuration: PHASE_WINDOW,
    submitDuration: PHASE_WINDOW,
    revealDuration: PHASE_WINDOW,
    aggregateDuration: PHASE_WINDOW,
    rule: 0,
    trimBps: 0,
    outlierFactorBps: 40000,
    minProjectionBps: 5000,
    scaleBits: SCALE_BITS,
    clipNormQ: CLIP_NORM_Q,
  };
}

/** Member `index`'s quantized update: a shared direction plus noise, about unit L2 norm (deterministic). */
export function syntheticUpdate(d: number, index: number): Uint32Array {
  const rng = seededRng(index + 1);
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) x[i] = (Math.sin(i) + (rng() - 0.5)) / Math.sqrt(d);
  return quantize(x, { scaleBits: SCALE_BITS, clipNormQ: CLIP_NORM_Q }, seededRng(index));
}

/** EIP-7623 floor of posting `bytes` once as calldata: 10 gas per token, a non-zero byte being 4 tokens. */
export function calldataFloor(bytes: Uint8Array): bigint {
  let tokens = 0;
  for (const b of bytes) tokens += b === 0 ? 1 : 4;
  return 10n * BigInt(tokens);
}

const sumGas = (txs: readonly TxCost[]): bigint => txs.reduce((s, t) => s + t.gasUsed, 0n);
const maxGas = (txs: readonly TxCost[]): bigint => txs.reduce((m, t) => (t.gasUsed > m ? t.gasUsed : m), 0n);
const seconds = (ms: number): number => Math.round(ms) / 1000;

function phaseGas(txs: readonly TxCost[]): PhaseGas {
  return { txs: txs.length, gas: sumGas(txs).toString(), maxTxGas: maxGas(txs).toString() };
}

/** Seconds the node spent between receiving and returning the given transactions (automine: executing them). */
function nodeSeconds(chain: BenchChain, txs: readonly TxCost[]): number {
  let ms = 0;
  for (const t of txs) {
    const timing = chain.timings.get(t.hash);
    if (timing) ms += timing.minedMs - timing.sentMs;
  }
  return seconds(ms);
}

/** Runs one cell on `chain`; `say` gets progress lines. */
export async function runCell(chain: BenchChain, config: CellConfig, say: (line: string) => void = () => {}): Promise<CellResult> {
  const { d, n } = config;
  const started = performance.now();
  const model = new Uint32Array(d).map((_, i) => (i * 2654435761) & 0xffff);
  let job;
  try {
    job = await openJob(chain, cellParams(config), packWords(model));
  } catch (error) {
    if (error instanceof ContractRevertError) {
      return { status: "refused", config, stage: "setup", error: { name: error.errorName, args: error.args.map(String) }, message: error.message };
    }
    throw error;
  }
  const setupDone = performance.now();
  say(`d=${d} n=${n}: job open (${seconds(setupDone - started)} s), round starts`);
  const state = await readRoundState(job.market, job.jobId);
  const dropouts = new Set<number>(config.dropouts ? [state.groups[0].members[0]] : []);
  let round: { costs: RoundCosts; marks: RoundMarks };
  try {
    round = await runRound(job, (i) => syntheticUpdate(d, i), dropouts, { concurrency: config.concurrency });
  } catch (error) {
    if (error instanceof ContractRevertError) {
      return { status: "refused", config, stage: "round", error: { name: error.errorName, args: error.args.map(String) }, message: error.message };
    }
    throw error;
  }
  const { costs, marks } = round;
  say(`d=${d} n=${n}: round finalized (${seconds(marks.finalizeEnd - marks.commitStart)} s), checking`);

  const verifyStart = performance.now();
  const aggregate = await fetchRoundAggregate(job.market, job.jobId, 0);
  const sums = state.groups.map((group) => {
    const submitters = group.members.filter((m) => !dropouts.has(m));
    const sum = new Uint32Array(wordCount(d) * 8);
    for (const m of submitters) addLanes(sum, padded(syntheticUpdate(d, m), sum.length));
    return { submitters: submitters.length, sum };
  });
  const expected = aggregateGroupSums(sums, { rule: "median" });
  const aggregateMatches = aggregate.length === d && aggregate.every((v, i) => v === expected.aggregate[i]);
  const result = await job.market.roundResult(job.jobId, 0);
  const expectedInliers = expected.inliers.reduce((bits, inlier, k) => (inlier ? bits | (1n << BigInt(k)) : bits), 0n);
  const inliersMatch = result.inlierGroups === expectedInliers;
  const posted = await fetchSubmissions(job.market, job.jobId, 0);
  const floor = [...posted.values()].reduce((s, bytes) => s + calldataFloor(bytes), 0n);
  const verifySeconds = seconds(performance.now() - verifyStart);

  const all = Object.values(costs).flat() as TxCost[];
  const setup = [...job.setup.create, ...job.setup.publish, ...job.setup.join];
  const roundGas = sumGas(all);
  const byPhase = Object.fromEntries((Object.entries(costs) as [keyof RoundCosts, TxCost[]][]).map(([p, txs]) => [p, phaseGas(txs)]));
  const nodeByPhase = Object.fromEntries((Object.entries(costs) as [keyof RoundCosts, TxCost[]][]).map(([p, txs]) => [p, nodeSeconds(chain, txs)]));
  return {
    status: "done",
    config,
    groups: state.groups.length,
    wordCount: state.wordCount,
    chunkWords: state.chunkWords,
    chunkCount: state.chunkCount,
    roundGas: roundGas.toString(),
    gasPerParamPerDataOwner: Number(roundGas) / (d * n),
    calldataFloorPerParamPerDataOwner: Number(floor) / (d * posted.size),
    maxTxGas: maxGas(all).toString(),
    maxTxGasWithSetup: maxGas([...all, ...setup]).toString(),
    maxTxGasUnderCap: maxGas([...all, ...setup]) <= TX_GAS_CAP,
    gasByPhase: byPhase,
    txCounts: { round: all.length, ...Object.fromEntries(Object.entries(byPhase).map(([p, v]) => [p, v.txs])) },
    setupGas: {
      create: sumGas(job.setup.create).toString(),
      publishModel: sumGas(job.setup.publish).toString(),
      join: sumGas(job.setup.join).toString(),
      publishTxs: job.setup.publish.length,
    },
    check: {
      aggregateMatchesProtocolCore: aggregateMatches,
      inlierGroupsMatchProtocolCore: inliersMatch,
      eligibleGroups: result.eligibleGroups.toString(2),
      inlierGroups: result.inlierGroups.toString(2),
      aggregateNonZero: aggregate.some((v) => v !== 0),
    },
    wallSeconds: {
      setup: seconds(setupDone - started),
      round: seconds(marks.finalizeEnd - marks.commitStart),
      commit: seconds(marks.submitStart - marks.commitStart),
      submit: seconds(marks.submitEnd - marks.submitStart),
      reveal: seconds(marks.revealEnd - marks.submitEnd),
      aggregate: seconds(marks.aggregateEnd - marks.revealEnd),
      finalize: seconds(marks.finalizeEnd - marks.aggregateEnd),
      verify: verifySeconds,
      total: seconds(performance.now() - started),
    },
    nodeSecondsByPhase: nodeByPhase,
    reads: { calls: chain.stats.calls, answeredFromCache: chain.stats.cacheHits },
    contractsSha256: contractsDigest(),
    bytecodeSha256: bytecodeDigest(),
  };
}

/** sha256 over contracts/**\/*.sol (path and content, test mocks included), naming the source tree a result was measured on. */
export function contractsDigest(): string {
  const root = path.join(__dirname, "..", "..", "contracts");
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".sol")) hash.update(path.relative(root, full)).update(readFileSync(full));
    }
  };
  walk(root);
  return hash.digest("hex");
}

/** sha256 over the creation bytecode deployMarket deploys (OmniMarket and its three linked libraries). */
export function bytecodeDigest(): string {
  const hash = createHash("sha256");
  for (const factory of [OmniMarket__factory, JobLogic__factory, RoundLogic__factory, AggregateLogic__factory]) hash.update(factory.bytecode);
  return hash.digest("hex");
}

// The quantized update has d lanes; group sums run over all W·8 lanes (padding lanes are zero).
function padded(q: Uint32Array, lanes: number): Uint32Array {
  if (q.length === lanes) return q;
  const out = new Uint32Array(lanes);
  out.set(q);
  return out;
}
