// Fixtures and the round driver of the contract tests, in process on Hardhat's network: deploys the market,
// creates, publishes and fills jobs, and runs rounds through the chain actions of src/chain/actions (the code
// the worker runs), with real Baby Jubjub keys, HKDF pair seeds and keccak masks, reading groups, required
// reveals and eligible groups with readRoundState. A test that injects a fault calls the contract itself.
// The other round drivers: bench/lib/driver.ts (benchmarks), test/e2e/scriptedJob.ts (a worker process with
// scripted peers), src/devnet/runMarket.ts (the market with worker processes), bench/lib/sim.ts (no chain).
import { ethers } from "hardhat";
import { mine, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import {
  CreditKind as ChainCreditKind,
  Phase as ChainPhase,
  Rule,
  SlashReason as ChainSlashReason,
  VoidReason as ChainVoidReason,
  aggregateChunks,
  commitSeeds,
  createJob,
  fetchSubmissions,
  jobBudget,
  hasBit,
  joinJob,
  pairSeeds,
  popcount,
  publishModel,
  readRoundState,
  release,
  revealSeeds,
  ruleName,
  submitMasked,
  type Member,
  type Submissions,
  type TxCost,
} from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import {
  MIN_ACTIVE_PEERS,
  addLanes,
  aggregateGroupSums,
  minEligibleGroups,
  normSlack,
  packWords,
  publicKeyOf,
  unpackWords,
  windowFloors,
  type GroupSum,
  type KeyPair,
  type OnChainRule,
} from "../../src/protocol";
import type { OmniMarket } from "../../typechain-types";

export const ETH = ethers.ZeroAddress;
export const DURATION = 1000;
/** An enum of src/chain with bigint values, as the contract's views and events return them. */
const asBigInts = <T extends Record<string, number>>(values: T): { readonly [K in keyof T]: bigint } =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, BigInt(value)])) as { [K in keyof T]: bigint };
export const Phase = asBigInts(ChainPhase);
export const SlashReason = asBigInts(ChainSlashReason);
export const VoidReason = asBigInts(ChainVoidReason);
export const CreditKind = asBigInts(ChainCreditKind);
export { Rule };
export { BURN_ADDRESS } from "../../src/protocol";

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
  aggregationFee: bigint;
  joinDuration: number;
  commitDuration: number;
  submitDuration: number;
  revealDuration: number;
  aggregateDuration: number;
  rule: number;
  trimBps: number;
  outlierFactorBps: number;
  minProjectionBps: number;
  scaleBits: number;
  clipNormQ: number;
};

/** A small valid job: 9 DOs in 3 groups of 3 (the fewest the median resists one bad group with), 2 rounds, 20 parameters (3 words). */
export function jobParams(overrides: Partial<Params> = {}): Params {
  return {
    taskTag: ethers.id("mnist"),
    modelCommitment: ethers.id("model"),
    token: ETH,
    numDOs: 9,
    groupSize: 3,
    rounds: 2,
    paramCount: 20,
    rewardPerRound: ethers.parseUnits("1", 15),
    stake: ethers.parseUnits("1", 16),
    aggregationFee: 0n,
    joinDuration: DURATION,
    commitDuration: DURATION,
    submitDuration: DURATION,
    revealDuration: DURATION,
    aggregateDuration: DURATION,
    rule: Rule.Median,
    trimBps: 0,
    // The fixtures' updates (updateOf) are uncorrelated across members, so group means need not point
    // along the aggregate, and which members share a group changes with the draw (a block hash): the
    // distance test only flags groups 100× the median distance away, and the projection test is off,
    // unless a test gives its members a common direction.
    outlierFactorBps: 1_000_000,
    minProjectionBps: 0,
    scaleBits: 16,
    clipNormQ: 1 << 16,
    ...overrides,
  };
}

/** The budget a job escrows: rounds · (numDOs · rewardPerRound + (chunks + 1) · aggregationFee). */
export function budgetOf(p: Params): bigint {
  return jobBudget(p);
}

/** p with every window raised to at least the floor the contract requires for the job's size (windowFloors). */
export function withWindowFloors(p: Params): Params {
  const floors = windowFloors(p.numDOs, p.groupSize, p.paramCount, ruleName(p.rule) ?? "median");
  return {
    ...p,
    joinDuration: Math.max(p.joinDuration, floors.join),
    commitDuration: Math.max(p.commitDuration, floors.commit),
    submitDuration: Math.max(p.submitDuration, floors.submit),
    revealDuration: Math.max(p.revealDuration, floors.reveal),
    aggregateDuration: Math.max(p.aggregateDuration, floors.aggregate),
  };
}

/** What a member forfeits for a missed commit: min(stake, (groupSize − 1) · rewardPerRound). */
export function missedCommitForfeit(p: Params): bigint {
  const harm = BigInt(p.groupSize - 1) * p.rewardPerRound;
  return harm < p.stake ? harm : p.stake;
}

/** The two sides of a job's books, equal once it is settled: [paid + fees + refunded + slashed + stakesReturned, budget + stakes]. */
export function booksSides(books: {
  budget: bigint;
  stakes: bigint;
  paid: bigint;
  fees: bigint;
  refunded: bigint;
  slashed: bigint;
  stakesReturned: bigint;
}): [bigint, bigint] {
  return [books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned, books.budget + books.stakes];
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
  /** Roster index i → data owner i, acting with key i (through dos[i] when it joined with joinAs). */
  members: Member[];
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

/** Creates a job from the MO's account with the createJob action (approving an ERC-20 budget); returns its id. */
export async function createJobAs(market: OmniMarket, mo: Signer, p: Params): Promise<bigint> {
  return (await createJob({ market: market.connect(mo), params: p })).jobId;
}

/** A deterministic public model of d int32 values. */
export function modelOf(d: number): Uint32Array {
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((e * 2654435761) >>> 0) % 2001;
  return v;
}

/** Posts the whole model from the MO's account with the publishModel action; returns the costs. */
export async function publish(market: OmniMarket, mo: Signer, jobId: bigint, model: Uint32Array): Promise<TxCost[]> {
  return publishModel(market.connect(mo), jobId, packWords(model));
}

/** Joins DO `i` (signer dos[i], key i) with the joinJob action; returns the join's cost (event matchers take it). */
export async function joinAs(market: OmniMarket, dos: Signer[], jobId: bigint, i: number): Promise<TxCost> {
  const txs = await joinJob(market.connect(dos[i]), jobId, (await keyPair(i)).publicKey);
  return txs[txs.length - 1];
}

/** Creates, publishes and fills a job; round 0 is open afterwards. */
export async function openJob(market: OmniMarket, mo: Signer, dos: Signer[], p: Params): Promise<Job> {
  const jobId = await createJobAs(market, mo, p);
  const model = modelOf(p.paramCount);
  await publish(market, mo, jobId, model);
  for (let i = 0; i < p.numDOs; i++) await joinAs(market, dos, jobId, i);
  const keys = await Promise.all(Array.from({ length: p.numDOs }, (_, i) => keyPair(i)));
  const members = keys.map((k, index) => ({ market: market.connect(dos[index]), jobId, index, secretKey: k.secretKey, sharedX: new Map() }));
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { market, address: await market.getAddress(), jobId, p, mo, dos, keys, chainId, model, members };
}

/** What each member does in a round (roster indices). */
export interface RoundPlan {
  noCommit?: number[];
  dropouts?: number[]; // commit, never submit
  liars?: number[]; // reveal a seed that contradicts their commitment
  silent?: number[]; // never make a required reveal
  updates?: Map<number, Uint32Array>;
}

/** A deterministic small update for member i in a round. */
export function updateOf(d: number, i: number, round: bigint): Uint32Array {
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((((e + 1) * (i + 3) * 7919 + Number(round) * 104729) % 2001) - 1000) >>> 0;
  return v;
}

/**
 * Updates along one shared direction plus a small member-specific part, negated for the members in `flipped`:
 * an honest cluster and a group that flips it. Returns the direction too.
 */
export function flippedUpdates(job: Job, flipped: readonly number[]): { direction: Uint32Array; updates: Map<number, Uint32Array> } {
  const d = job.p.paramCount;
  const direction = Uint32Array.from({ length: d }, (_, e) => ((e % 7) - 3) * 300);
  const honest = (i: number) => Uint32Array.from(direction, (v, e) => (v | 0) + ((updateOf(d, i, 0n)[e] | 0) >> 3));
  const bad = new Set(flipped);
  return { direction, updates: new Map(job.members.map((_, i) => [i, bad.has(i) ? honest(i).map((v) => -(v | 0)) : honest(i)])) };
}

/** The current round's groups; mines a block first when the round opened in the latest one (its hash draws them). */
export async function groupsOf(job: Job): Promise<number[][]> {
  if ((await job.market.roundInfo(job.jobId)).randomness === ethers.ZeroHash) await mine();
  return (await job.market.groups(job.jobId)).map((g) => g.map(Number));
}

/** Events `name` of the market in a mined transaction. */
export async function eventsIn(job: Job, tx: TxCost, name: string) {
  const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
  const events = receipt!.logs.map((log) => job.market.interface.parseLog(log));
  return events.filter((event) => event?.name === name).map((event) => event!);
}

/** Every round member not in plan.noCommit commits with the commitSeeds action, group by group; returns the groups. */
export async function commitAll(job: Job, plan: RoundPlan = {}): Promise<number[][]> {
  const groups = await groupsOf(job);
  for (const i of groups.flat()) if (!plan.noCommit?.includes(i)) await commitSeeds(job.members[i]);
  return groups;
}

/**
 * Committers not in plan.dropouts submit their update with the submitMasked action, group by group, except
 * those with fewer than two active peers (the contract refuses their vector; the worker does not send it).
 * Returns the round's submissions as read back from calldata.
 */
export async function submitAll(job: Job, plan: RoundPlan = {}): Promise<Submissions> {
  const { round, groups, committed } = await readRoundState(job.market, job.jobId);
  for (const i of groups.flatMap((g) => g.members)) {
    if (!hasBit(committed, i) || plan.dropouts?.includes(i)) continue;
    if (popcount(await job.market.activePeers(job.jobId, i)) < MIN_ACTIVE_PEERS) continue;
    await submitMasked(job.members[i], plan.updates?.get(i) ?? updateOf(job.p.paramCount, i, BigInt(round)));
  }
  return fetchSubmissions(job.market, job.jobId, round);
}

/** An honest reveal as the chain recorded it (SeedsRevealed). */
export interface Reveal {
  submitter: number;
  dropped: number;
  seed: string;
}

/**
 * Submitters make their required reveals with the revealSeeds action, group by group; plan.silent ones do
 * not, plan.liars reveal a wrong first seed. Returns the honest reveals.
 */
export async function revealAll(job: Job, plan: RoundPlan = {}): Promise<Reveal[]> {
  const { round, groups } = await readRoundState(job.market, job.jobId);
  const reveals: Reveal[] = [];
  for (const group of groups) {
    for (const i of group.submitters) {
      const peers = group.requiredReveals.get(i);
      if (!peers || plan.silent?.includes(i)) continue;
      const member = job.members[i];
      if (plan.liars?.includes(i)) {
        const seeds = await pairSeeds(member, round, peers);
        seeds[0] = ethers.id("a lie");
        // Deliberate fault: a seed that contradicts the liar's own commitment.
        await member.market.revealSeeds(job.jobId, round, peers, seeds);
        continue;
      }
      const tx = await revealSeeds(member);
      if (!tx) continue;
      for (const { args } of await eventsIn(job, tx, "SeedsRevealed")) {
        args.droppedPeers.forEach((dropped: bigint, k: number) => reveals.push({ submitter: i, dropped: Number(dropped), seed: args.seeds[k] }));
      }
    }
  }
  return reveals;
}

/** The round's eligible groups (indices), as readRoundState derives them from chain data. */
export async function eligibleGroupsOf(job: Job): Promise<number[]> {
  return (await readRoundState(job.market, job.jobId)).groups.filter((g) => g.eligible).map((g) => g.index);
}

/**
 * Aggregates every remaining chunk with the aggregateChunks action, without finalizing; submissions are read
 * from calldata unless given (a member that submits through a contract is not in the calldata the action
 * decodes). Returns the eligible groups, the chunks' costs and the aggregate read back from the events.
 */
export async function aggregateAll(job: Job, given?: Submissions) {
  const eligible = await eligibleGroupsOf(job);
  const aggregated = await aggregateChunks(job.market, job.jobId, given);
  if (!aggregated) throw new Error(`job ${job.jobId} is not in its aggregate phase`);
  const words: string[] = [];
  for (const chunk of aggregated.chunks) for (const { args } of await eventsIn(job, chunk, "AggregateChunkComputed")) words.push(args.words);
  return { eligible, chunks: aggregated.chunks, aggregate: ethers.getBytes(ethers.concat(words)) };
}

/** Moves the clock past a deadline. */
export async function passDeadline(deadline: bigint) {
  await time.increaseTo(deadline + 1n);
}

/** Runs the current round per plan, passing deadlines where someone does not act; does not finalize. */
export async function playRound(job: Job, plan: RoundPlan = {}) {
  const groups = await commitAll(job, plan);
  if (plan.noCommit?.length) await passDeadline((await job.market.roundInfo(job.jobId)).commitDeadline);
  const masked = await submitAll(job, plan);
  if (plan.dropouts?.length) await passDeadline((await job.market.roundInfo(job.jobId)).submitDeadline);
  const reveals = await revealAll(job, plan);
  if (plan.silent?.length) await passDeadline((await job.market.roundInfo(job.jobId)).revealDeadline);
  const { eligible, aggregate, chunks } = await aggregateAll(job, masked);
  return { groups, masked, reveals, eligible, aggregate, chunks };
}

/** Balance of `who` in ETH (token = ETH) or in an ERC-20. */
export async function assetBalance(token: string, who: string): Promise<bigint> {
  if (token === ETH) return ethers.provider.getBalance(who);
  return (await ethers.getContractAt("MockERC20", token)).balanceOf(who);
}

/** Releases every credit of `accounts` in `token` with the release action; returns the total sent. */
export async function releaseAll(market: OmniMarket, token: string, accounts: string[]): Promise<bigint> {
  let total = 0n;
  for (const who of accounts) total += (await release(market, token, who))?.amount ?? 0n;
  return total;
}

/** Lanes of packed bytes. */
export function lanesOf(bytes: Uint8Array): Uint32Array {
  return unpackWords(bytes, (bytes.length / 32) * 8);
}

/** Every member's update for round 0: `special` where given, else updateOf. */
export function updatesFor(job: Job, special: Map<number, Uint32Array>): Map<number, Uint32Array> {
  return new Map(job.members.map((_, i) => [i, special.get(i) ?? updateOf(job.p.paramCount, i, 0n)]));
}

/** The groups' plain sums (no dropouts: the masks cancel), in group order. */
export function plainGroupSums(groups: number[][], updates: Map<number, Uint32Array>): GroupSum[] {
  return groups.map((g) => {
    const sum = new Uint32Array(updates.get(g[0])!.length);
    for (const i of g) addLanes(sum, updates.get(i)!);
    return { submitters: g.length, sum };
  });
}

/** The TypeScript reference of a round without dropouts under the job's rule, norm bound included. */
export async function referenceRound(job: Job, groups: number[][], updates: Map<number, Uint32Array>) {
  const info = await job.market.jobInfo(job.jobId);
  const name = ruleName(job.p.rule) ?? "median";
  const rule: OnChainRule = name === "trimmed-mean" ? { rule: name, trimBps: job.p.trimBps } : { rule: name };
  const bound = {
    normSlack: normSlack(job.p.clipNormQ, job.p.paramCount),
    chunkLanes: 8 * Number(info.chunkWords),
    minGroups: minEligibleGroups(name, job.p.trimBps),
  };
  return aggregateGroupSums(plainGroupSums(groups, updates), rule, BigInt(job.p.outlierFactorBps), BigInt(job.p.minProjectionBps), bound);
}
