// Gas of one full round at d = 100,000 public parameters, n = 20 DOs, g = 4, median rule, with one
// dropout, on the in-process Hardhat network (osaka rules). Writes bench/results/gas.json.
// Usage: npm run bench:gas  (env: GAS_D, GAS_N, GAS_G to change the configuration)
import { writeFileSync, mkdirSync } from "fs";
import path from "path";
import { ZeroAddress, ZeroHash, parseEther } from "ethers";
import { addLanes, aggregateGroupSums, packWords, quantize, seededRng, wordCount } from "../src/protocol";
import { fetchRoundAggregate, fetchSubmissions, readRoundState, type JobParameters, type TxCost } from "../src/chain";
import { openJob, runRound, type RoundCosts } from "./lib/driver";

const TX_GAS_CAP = 16_777_216n;

/** EIP-7623 floor of posting `bytes` once as calldata: 10 gas per token, a non-zero byte being 4 tokens. */
function calldataFloor(bytes: Uint8Array): bigint {
  let tokens = 0n;
  for (const b of bytes) tokens += b === 0 ? 1n : 4n;
  return 10n * tokens;
}

/** An honest-looking update: a shared direction plus noise, about unit L2 norm. */
function syntheticUpdate(d: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) x[i] = (Math.sin(i) + (rng() - 0.5)) / Math.sqrt(d);
  return x;
}

const sum = (txs: TxCost[]): bigint => txs.reduce((s, t) => s + t.gasUsed, 0n);

async function main(): Promise<void> {
  const d = Number(process.env.GAS_D ?? 100_000);
  const n = Number(process.env.GAS_N ?? 20);
  const g = Number(process.env.GAS_G ?? 4);
  const scaleBits = 16;
  const params: JobParameters = {
    taskTag: ZeroHash,
    modelCommitment: ZeroHash,
    token: ZeroAddress,
    numDOs: n,
    groupSize: g,
    rounds: 1,
    paramCount: d,
    rewardPerRound: parseEther("0.001"),
    stake: parseEther("0.01"),
    joinDuration: 3600,
    commitDuration: 600,
    submitDuration: 600,
    revealDuration: 600,
    rule: 0,
    trimBps: 0,
    outlierFactorBps: 40000,
    minProjectionBps: 5000,
    scaleBits,
    clipNormQ: 4 << scaleBits,
  };
  const started = Date.now();
  const model = new Uint32Array(d).map((_, i) => (i * 2654435761) & 0xffff);
  const job = await openJob(params, packWords(model));
  const updates = job.members.map((m) => quantize(syntheticUpdate(d, m.index + 1), { scaleBits, clipNormQ: 4 << scaleBits }, seededRng(m.index)));
  // Drop the first member of group 0: its group keeps 3 submitters, so it stays eligible after the reveals.
  const state = await readRoundState(job.market, job.jobId);
  const dropped = state.groups[0].members[0];
  const dropouts = Number(process.env.GAS_DROPOUTS ?? 1) > 0 ? new Set([dropped]) : new Set<number>();
  const costs: RoundCosts = await runRound(job, updates, dropouts);
  const wallMs = Date.now() - started;

  const aggregate = await fetchRoundAggregate(job.market, job.jobId, 0);
  // The contract's aggregate must equal the protocol core's integer computation on the unmasked group sums.
  const sums = state.groups.map((g) => {
    const submitters = g.members.filter((m) => !dropouts.has(m));
    const sum = new Uint32Array(wordCount(d) * 8);
    for (const m of submitters) addLanes(sum, updates[m]);
    return { submitters: submitters.length, sum };
  });
  const expected = aggregateGroupSums(sums, { rule: "median" }).aggregate;
  const matches = aggregate.every((v, i) => v === expected[i]);
  if (!matches) throw new Error("the on-chain aggregate differs from the protocol core's computation");
  const result = await job.market.roundResult(job.jobId, 0);
  const phases = Object.fromEntries(
    (Object.entries(costs) as [string, TxCost[]][]).map(([phase, txs]) => [phase, { txs: txs.length, gas: sum(txs).toString(), maxTxGas: txs.reduce((m, t) => (t.gasUsed > m ? t.gasUsed : m), 0n).toString() }]),
  );
  const all = Object.values(costs).flat() as TxCost[];
  const roundGas = sum(all);
  const setup = Object.values(job.setup).flat() as TxCost[];
  const maxTxGas = [...all, ...setup].reduce((m, t) => (t.gasUsed > m ? t.gasUsed : m), 0n);
  // The floor of posting each submitted masked vector once, from the bytes actually posted.
  const posted = await fetchSubmissions(job.market, job.jobId, 0);
  const floor = [...posted.values()].reduce((s, bytes) => s + calldataFloor(bytes), 0n);
  const report = {
    benchmark: "gas",
    config: { d, n, g, groups: state.groups.length, rule: "median", dropouts: dropouts.size, wordCount: wordCount(d), chunkWords: state.chunkWords, chunkCount: state.chunkCount },
    gasByPhase: phases,
    setupGas: { create: sum(job.setup.create).toString(), publishModel: sum(job.setup.publish).toString(), join: sum(job.setup.join).toString() },
    roundGas: roundGas.toString(),
    maxTxGas: maxTxGas.toString(),
    maxTxGasUnderCap: maxTxGas <= TX_GAS_CAP,
    gasPerParamPerDataOwner: Number(roundGas) / (d * n),
    calldataFloorPerParamPerDataOwner: Number(floor) / (d * posted.size),
    targets: { gasPerParamPerDataOwner: 800, productGoal: 180, maxTxGas: Number(TX_GAS_CAP) },
    result: { eligibleGroups: result.eligibleGroups.toString(2), inlierGroups: result.inlierGroups.toString(2), aggregateNonZero: aggregate.some((v) => v !== 0), aggregateMatchesProtocolCore: matches },
    wallMs,
    machine: { node: process.version, cpus: require("os").cpus().length },
    date: new Date().toISOString(),
  };
  const isDefault = d === 100_000 && n === 20 && g === 4 && dropouts.size === 1;
  const out = path.join(__dirname, "results", isDefault ? "gas.json" : `gas-d${d}-n${n}-g${g}-drop${dropouts.size}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
