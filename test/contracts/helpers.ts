// Shared fixtures and a round driver for the contract tests: deploys the market, creates, publishes and
// fills jobs, and runs rounds with real Baby Jubjub keys, HKDF pair seeds and keccak masks from
// src/protocol, reading groups and participation from chain data only.
import { ethers } from "hardhat";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer, ContractTransactionReceipt } from "ethers";
import { deployMarket } from "../../src/chain/deployMarket";
import { popcount } from "../../src/chain/roundState";
import {
  chunkBytes,
  ecdhSharedX,
  maskVector,
  packWords,
  pairSeed,
  publicKeyOf,
  seedCommitment,
  unpackWords,
  type KeyPair,
} from "../../src/protocol";
import type { OmniMarket } from "../../typechain-types";
import type { JobParamsStruct } from "../../typechain-types/contracts/OmniMarket";

export const ETH = ethers.ZeroAddress;
export const DURATION = 1000;
export const Phase = {
  Publishing: 0n,
  Joining: 1n,
  Commit: 2n,
  Submit: 3n,
  Reveal: 4n,
  Aggregate: 5n,
  Completed: 6n,
  Cancelled: 7n,
} as const;
export const Rule = { Median: 0, TrimmedMean: 1 } as const;
export const SlashReason = { MissedSubmission: 0n, MissedReveal: 1n, ContradictedSeed: 2n } as const;

export type Params = {
  taskTag: string;
  modelCommitment: string;
  token: string;
  numDOs: number;
  groupSize: number;
  rounds: number;
  paramCount: number;
  rewardPerRound: bigint;
  stake: bigint;
  joinDuration: number;
  commitDuration: number;
  submitDuration: number;
  revealDuration: number;
  rule: number;
  trimBps: number;
  outlierFactorBps: number;
  minProjectionBps: number;
  scaleBits: number;
  clipNormQ: number;
};

/** A small valid job: 6 DOs in 2 groups of 3, 2 rounds, 20 parameters (3 words). */
export function jobParams(overrides: Partial<Params> = {}): Params {
  return {
    taskTag: ethers.id("mnist"),
    modelCommitment: ethers.id("model"),
    token: ETH,
    numDOs: 6,
    groupSize: 3,
    rounds: 2,
    paramCount: 20,
    rewardPerRound: ethers.parseUnits("1", 15),
    stake: ethers.parseUnits("1", 16),
    joinDuration: DURATION,
    commitDuration: DURATION,
    submitDuration: DURATION,
    revealDuration: DURATION,
    rule: Rule.Median,
    trimBps: 0,
    outlierFactorBps: 40000,
    // The fixtures' updates (updateOf) are uncorrelated across members, so group means need not point
    // along the aggregate: the projection test is off unless a test gives its members a common direction.
    minProjectionBps: 0,
    scaleBits: 16,
    clipNormQ: 1 << 16,
    ...overrides,
  };
}

export function budgetOf(p: Params): bigint {
  return BigInt(p.numDOs) * BigInt(p.rounds) * p.rewardPerRound;
}

const keyCache = new Map<number, KeyPair>();
/** Deterministic key pair number `i` (sk = 1000 + i). */
export async function keyPair(i: number): Promise<KeyPair> {
  let kp = keyCache.get(i);
  if (!kp) {
    const secretKey = 1000n + BigInt(i);
    kp = { secretKey, publicKey: await publicKeyOf(secretKey) };
    keyCache.set(i, kp);
  }
  return kp;
}

export interface Job {
  market: OmniMarket;
  address: string;
  jobId: bigint;
  p: Params;
  mo: Signer;
  dos: Signer[];
  keys: KeyPair[];
  chainId: bigint;
  model: Uint32Array;
}

/** Deploys the market; returns it with the signers (0: deployer, 1: MO, 2..: DOs). */
export async function deployFixture() {
  const signers = await ethers.getSigners();
  const { market, address } = await deployMarket(signers[0]);
  return { market, address, signers, mo: signers[1], dos: signers.slice(2) };
}

/** `count` fresh signers funded with 1000 ETH each, for jobs larger than the node's accounts. */
export async function fundedSigners(count: number): Promise<Signer[]> {
  const out: Signer[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
    await setBalance(wallet.address, ethers.parseEther("1000"));
    out.push(wallet);
  }
  return out;
}

/** Creates a job (approving the budget for an ERC-20 job) and returns its id. */
export async function createJob(market: OmniMarket, mo: Signer, p: Params): Promise<bigint> {
  const budget = budgetOf(p);
  if (p.token !== ETH) {
    const token = await ethers.getContractAt("MockERC20", p.token);
    await token.connect(mo).approve(await market.getAddress(), budget);
  }
  await market.connect(mo).createJob(p, { value: p.token === ETH ? budget : 0n });
  return market.jobCount();
}

/** A deterministic public model of d int32 values. */
export function modelOf(d: number): Uint32Array {
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((e * 2654435761) >>> 0) % 2001;
  return v;
}

/** Words per publishModel call in the fixtures (about 10.5M gas of calldata floor). */
export const PUBLISH_WORDS = 8192;

/** Posts the whole model, PUBLISH_WORDS words per call. */
export async function publish(market: OmniMarket, mo: Signer, jobId: bigint, model: Uint32Array) {
  const bytes = packWords(model);
  const words = bytes.length / 32;
  for (let first = 0; first < words; first += PUBLISH_WORDS) {
    const last = Math.min(first + PUBLISH_WORDS, words);
    await market.connect(mo).publishModel(jobId, first, bytes.subarray(first * 32, last * 32));
  }
}

/** Joins DO `i` (signer dos[i], key i), approving the stake for an ERC-20 job. */
export async function joinAs(market: OmniMarket, dos: Signer[], jobId: bigint, p: Params, i: number) {
  const { publicKey } = await keyPair(i);
  if (p.token !== ETH) {
    const token = await ethers.getContractAt("MockERC20", p.token);
    await token.connect(dos[i]).approve(await market.getAddress(), p.stake);
  }
  return market.connect(dos[i]).join(jobId, publicKey[0], publicKey[1], { value: p.token === ETH ? p.stake : 0n });
}

/** Creates, publishes and fills a job; round 0 is open afterwards. */
export async function openJob(market: OmniMarket, mo: Signer, dos: Signer[], p: Params): Promise<Job> {
  const jobId = await createJob(market, mo, p);
  const model = modelOf(p.paramCount);
  await publish(market, mo, jobId, model);
  for (let i = 0; i < p.numDOs; i++) await joinAs(market, dos, jobId, p, i);
  const keys = await Promise.all(Array.from({ length: p.numDOs }, (_, i) => keyPair(i)));
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { market, address: await market.getAddress(), jobId, p, mo, dos, keys, chainId, model };
}

/** What each member does in a round (roster indices). */
export interface RoundPlan {
  noCommit?: number[];
  dropouts?: number[]; // commit, never submit
  liars?: number[]; // reveal a seed that contradicts their commitment
  silent?: number[]; // never make a required reveal
  updates?: Map<number, Uint32Array>;
}

const sharedCache = new Map<string, bigint>();
/** The pair seed of roster indices i and j in the job's round. */
export async function seedOf(job: Job, round: bigint, i: number, j: number): Promise<string> {
  const [lo, hi] = i < j ? [i, j] : [j, i];
  const key = `${lo}:${hi}`;
  let x = sharedCache.get(key);
  if (x === undefined) {
    x = await ecdhSharedX(job.keys[lo].secretKey, job.keys[hi].publicKey);
    sharedCache.set(key, x);
  }
  return pairSeed(x, { chainId: job.chainId, market: job.address, jobId: job.jobId, round }, lo, hi);
}

/** A deterministic small update for member i in a round. */
export function updateOf(d: number, i: number, round: bigint): Uint32Array {
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((((e + 1) * (i + 3) * 7919 + Number(round) * 104729) % 2001) - 1000) >>> 0;
  return v;
}

export async function groupsOf(job: Job): Promise<number[][]> {
  return (await job.market.groups(job.jobId)).map((g) => g.map(Number));
}

export function has(bits: bigint, i: number): boolean {
  return ((bits >> BigInt(i)) & 1n) === 1n;
}

/** Member i's honest commitments for the round: one per group peer, ascending peer index. */
export async function commitmentsOf(job: Job, round: bigint, groups: number[][], i: number): Promise<string[]> {
  const commitments = [];
  for (const j of groups.find((g) => g.includes(i))!) {
    if (j === i) continue;
    const [lo, hi] = i < j ? [i, j] : [j, i];
    commitments.push(seedCommitment({ chainId: job.chainId, market: job.address, jobId: job.jobId, round }, lo, hi, await seedOf(job, round, i, j)));
  }
  return commitments;
}

/** Every round member not in plan.noCommit commits honest commitments for all its group peers. */
export async function commitAll(job: Job, round: bigint, plan: RoundPlan = {}) {
  const groups = await groupsOf(job);
  for (const group of groups) {
    for (const i of group) {
      if (plan.noCommit?.includes(i)) continue;
      await job.market.connect(job.dos[i]).commitSeeds(job.jobId, round, await commitmentsOf(job, round, groups, i));
    }
  }
  return groups;
}

/** The packed masked vector of member i (masks with its active peers read from chain). */
export async function maskedOf(job: Job, round: bigint, i: number, update: Uint32Array): Promise<Uint8Array> {
  const active = await job.market.activePeers(job.jobId, i);
  const peers = [];
  for (let j = 0; j < job.p.numDOs; j++) if (has(active, j)) peers.push({ index: j, seed: await seedOf(job, round, i, j) });
  return packWords(await maskVector(update, i, peers));
}

/** Committers not in plan.dropouts and with at least two active peers submit their whole masked vector in one call. */
export async function submitAll(job: Job, round: bigint, groups: number[][], plan: RoundPlan = {}) {
  const info = await job.market.roundInfo(job.jobId);
  const masked = new Map<number, Uint8Array>();
  for (const group of groups) {
    for (const i of group) {
      if (!has(info.committed, i) || plan.dropouts?.includes(i)) continue;
      if (popcount(await job.market.activePeers(job.jobId, i)) < 2) continue; // the contract refuses such a vector
      const update = plan.updates?.get(i) ?? updateOf(job.p.paramCount, i, round);
      const bytes = await maskedOf(job, round, i, update);
      masked.set(i, bytes);
      await job.market.connect(job.dos[i]).submitMasked(job.jobId, round, 0, bytes);
    }
  }
  return masked;
}

/** The dropped peers member i must reveal seeds for, from chain data. */
export async function revealTargetsOf(job: Job, groups: number[][], i: number): Promise<number[]> {
  const info = await job.market.roundInfo(job.jobId);
  const group = groups.find((g) => g.includes(i))!;
  if (group.filter((j) => has(info.submitted, j)).length < 3) return [];
  const active = await job.market.activePeers(job.jobId, i);
  return group.filter((j) => has(active, j) && has(info.committed, j) && !has(info.submitted, j));
}

/** Submitters make their required reveals (liars with a wrong first seed, silent ones not at all). */
export async function revealAll(job: Job, round: bigint, groups: number[][], plan: RoundPlan = {}) {
  const reveals: { submitter: number; dropped: number; seed: string }[] = [];
  const info = await job.market.roundInfo(job.jobId);
  for (const group of groups) {
    for (const i of group) {
      if (!has(info.submitted, i) || plan.silent?.includes(i)) continue;
      const targets = await revealTargetsOf(job, groups, i);
      if (targets.length === 0) continue;
      const seeds = await Promise.all(targets.map((j) => seedOf(job, round, i, j)));
      if (plan.liars?.includes(i)) seeds[0] = ethers.id("a lie");
      else targets.forEach((j, t) => reveals.push({ submitter: i, dropped: j, seed: seeds[t] }));
      await job.market.connect(job.dos[i]).revealSeeds(job.jobId, round, targets, seeds);
    }
  }
  return reveals;
}

/** Eligible groups (indices), from chain data, as the contract decides them. */
export async function eligibleGroupsOf(job: Job, groups: number[][]): Promise<number[]> {
  const info = await job.market.roundInfo(job.jobId);
  const out = [];
  for (let k = 0; k < groups.length; k++) {
    const subs = groups[k].filter((i) => has(info.submitted, i));
    if (subs.length < 3 || subs.some((i) => has(info.contradicted, i))) continue;
    let ok = true;
    for (const i of subs) if (!has(info.revealed, i) && (await revealTargetsOf(job, groups, i)).length > 0) ok = false;
    if (ok) out.push(k);
  }
  return out;
}

/** The aggregateChunk data of chunk k: eligible groups ascending, submitters ascending. */
export async function chunkData(job: Job, groups: number[][], eligible: number[], masked: Map<number, Uint8Array>, k: number) {
  const info = await job.market.roundInfo(job.jobId);
  const { chunkWords } = await job.market.jobInfo(job.jobId);
  const parts: Uint8Array[] = [];
  for (const g of eligible) for (const i of groups[g]) if (has(info.submitted, i)) parts.push(chunkBytes(masked.get(i)!, k, Number(chunkWords)));
  return ethers.concat(parts);
}

/** Aggregates every chunk; returns the aggregate bytes read back from the events and the receipts. */
export async function aggregateAll(job: Job, round: bigint, groups: number[][], masked: Map<number, Uint8Array>) {
  const eligible = await eligibleGroupsOf(job, groups);
  const { chunkCount } = await job.market.jobInfo(job.jobId);
  const receipts: ContractTransactionReceipt[] = [];
  const words: string[] = [];
  for (let k = 0; k < Number(chunkCount); k++) {
    const data = await chunkData(job, groups, eligible, masked, k);
    const receipt = (await (await job.market.aggregateChunk(job.jobId, round, k, data)).wait())!;
    receipts.push(receipt);
    for (const log of receipt.logs) {
      const parsed = job.market.interface.parseLog(log);
      if (parsed?.name === "AggregateChunkComputed") words.push(parsed.args.words);
    }
  }
  return { eligible, receipts, aggregate: ethers.getBytes(ethers.concat(words)) };
}

/** Moves the clock past a deadline. */
export async function passDeadline(deadline: bigint) {
  await time.increaseTo(deadline + 1n);
}

/** Runs a whole round per plan, passing deadlines where someone does not act; does not finalize. */
export async function playRound(job: Job, round: bigint, plan: RoundPlan = {}) {
  const groups = await commitAll(job, round, plan);
  if (plan.noCommit?.length) await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
  const masked = await submitAll(job, round, groups, plan);
  if (plan.dropouts?.length) await passDeadline((await job.market.roundInfo(job.jobId)).submitDeadline);
  const reveals = await revealAll(job, round, groups, plan);
  if (plan.silent?.length) await passDeadline((await job.market.roundInfo(job.jobId)).revealDeadline);
  const { eligible, aggregate, receipts } = await aggregateAll(job, round, groups, masked);
  return { groups, masked, reveals, eligible, aggregate, receipts };
}

/** Balance of `who` in ETH (token = ETH) or in an ERC-20. */
export async function assetBalance(token: string, who: string): Promise<bigint> {
  if (token === ETH) return ethers.provider.getBalance(who);
  return (await ethers.getContractAt("MockERC20", token)).balanceOf(who);
}

/** Releases every credit of `accounts` in `token`; returns the total sent. */
export async function releaseAll(market: OmniMarket, token: string, accounts: string[]): Promise<bigint> {
  let total = 0n;
  for (const who of accounts) {
    const amount = await market.releasable(token, who);
    if (amount === 0n) continue;
    await market.release(token, who);
    total += amount;
  }
  return total;
}

/** Lanes of packed bytes. */
export function lanesOf(bytes: Uint8Array): Uint32Array {
  return unpackWords(bytes, (bytes.length / 32) * 8);
}
