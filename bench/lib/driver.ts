// A market for benchmarks on any local chain (Hardhat's in-process network, a `hardhat node` or anvil): funded wallets,
// a job with its model posted, members joined, and one round driven through the real chain actions of
// src/chain (commitSeeds, submitMasked, revealSeeds, aggregateRound — the code the worker runs).
// Round transactions are sent with the EIP-7825 cap as their gas limit instead of a gas estimate (an
// estimate executes the call again, which on Hardhat costs as much as the transaction); the gas reported is
// the receipts' gasUsed, which the limit does not change. Data owners act concurrently, as independent
// parties would, unless `concurrency` is 1.
import http from "http";
import { TransactionResponse, Wallet, getAddress, hexlify, keccak256, parseEther, toUtf8Bytes, type Provider, type TransactionRequest } from "ethers";
import { BABYJUB_L, generateKeyPair, publicKeyOf, type PublicKey } from "../../src/protocol";
import {
  aggregateRound,
  commitSeeds,
  createJob,
  joinJob,
  marketAt,
  publishModel,
  revealSeeds,
  submitMasked,
  TX_GAS_CAP,
  type JobParameters,
  type Member,
  type OmniMarket,
  type TxCost,
} from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { setBalance, type ChainClient } from "../../src/devnet/localNode";
import { benchProvider, type BenchProvider, type TxTiming } from "./chainProvider";
import { signEip1559 } from "./rawTransaction";

/**
 * A wallet that can skip gas estimation (then every transaction carries the per-transaction cap as limit)
 * and that serializes its EIP-1559 transactions with bench/lib/rawTransaction.ts, sending them with
 * eth_sendRawTransaction and timing them like the bench provider's broadcasts.
 */
export class BenchWallet extends Wallet {
  fixedGasLimit = false;

  constructor(
    key: string,
    provider: Provider,
    private readonly timings?: Map<string, TxTiming>,
  ) {
    super(key, provider);
  }

  /** The cap when the limit is fixed, else the node's estimate. */
  override async estimateGas(tx: TransactionRequest): Promise<bigint> {
    return this.fixedGasLimit ? TX_GAS_CAP : super.estimateGas(tx);
  }

  /** Populates as ethers does, then signs and sends the raw bytes itself (type 2 without access list; else as ethers does). */
  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const pop = await this.populateTransaction(tx);
    const plain =
      pop.type === 2 && pop.to && (pop.accessList === undefined || pop.accessList === null || (Array.isArray(pop.accessList) && pop.accessList.length === 0));
    if (!plain || pop.authorizationList) return super.sendTransaction(tx);
    const fields = {
      chainId: BigInt(pop.chainId!),
      nonce: Number(pop.nonce),
      maxPriorityFeePerGas: BigInt(pop.maxPriorityFeePerGas!),
      maxFeePerGas: BigInt(pop.maxFeePerGas!),
      gasLimit: BigInt(pop.gasLimit!),
      to: getAddress(String(pop.to)),
      value: BigInt(pop.value ?? 0),
      data: typeof pop.data === "string" ? pop.data : hexlify(pop.data ?? "0x"),
    };
    const { serialized, signature } = signEip1559(fields, this.signingKey);
    const provider = this.provider as unknown as { send(method: string, params: unknown[]): Promise<string> };
    const sentMs = performance.now();
    const hash = await provider.send("eth_sendRawTransaction", [serialized]);
    this.timings?.set(hash, { sentMs, minedMs: performance.now() });
    return new TransactionResponse(
      {
        ...fields,
        blockNumber: null,
        blockHash: null,
        hash,
        index: 0,
        type: 2,
        from: this.address,
        gasPrice: fields.maxFeePerGas,
        signature,
        accessList: [],
        authorizationList: null,
      },
      this.provider!,
    );
  }
}

/** The chain a benchmark runs on. */
export interface BenchChain extends BenchProvider {
  /** The client that executes it. */
  client: ChainClient;
  /** Sends a raw JSON-RPC request (evm_mine, evm_setNextBlockTimestamp, ...: calls both clients answer). */
  rpc(method: string, params: unknown[]): Promise<unknown>;
}

/** Wraps an ethers provider of a local chain: Hardhat's in-process `hre.ethers.provider`, or a node's JsonRpcProvider. */
export function benchChain(inner: Provider, client: ChainClient = "hardhat"): BenchChain {
  const wrapped = benchProvider(inner);
  const rpc = (method: string, params: unknown[]) => (wrapped.provider as unknown as { send(m: string, p: unknown[]): Promise<unknown> }).send(method, params);
  return { ...wrapped, client, rpc };
}

/**
 * Makes this process open a fresh connection per JSON-RPC request. A long run against a node failed once
 * with "socket hang up", the usual sign of reusing a keep-alive socket the server is closing (Node's client
 * and server both drop idle sockets after 5 s); on 127.0.0.1 a new connection costs well under a millisecond.
 */
export function freshConnections(): void {
  http.globalAgent = new http.Agent({ keepAlive: false });
}

/** A key derived from `seed` and `index` (the same on every run), for runs that must repeat exactly. */
const seededKey = (seed: number, label: string, index: number): string => keccak256(toUtf8Bytes(`omni-bench:${seed}:${label}:${index}`));

/** `count` wallets on `chain` (fresh, or derived from `seed`), each holding `ether` ETH (its balance set directly). */
export async function fundedWallets(chain: BenchChain, count: number, ether = "1000000", seed?: number): Promise<BenchWallet[]> {
  const wallets: BenchWallet[] = [];
  for (let i = 0; i < count; i++) {
    const key = seed === undefined ? Wallet.createRandom().privateKey : seededKey(seed, "account", i);
    const wallet = new BenchWallet(key, chain.provider, chain.timings);
    await setBalance(chain.rpc, chain.client, wallet.address, parseEther(ether));
    wallets.push(wallet);
  }
  return wallets;
}

/** A job with its model posted and its roster full: round 0 is open, and its groups are drawn (a block after its draw block exists). */
export interface OpenJob {
  chain: BenchChain;
  market: OmniMarket;
  jobId: bigint;
  members: Member[];
  wallets: BenchWallet[];
  setup: { create: TxCost[]; publish: TxCost[]; join: TxCost[] };
}

/**
 * Deploys the market, posts a job with `packedModel` and joins `params.numDOs` members: fresh accounts and
 * keys, or with `seed` the same ones on every run. createJob is gas-estimated, so a configuration the
 * contract refuses fails there with its custom error.
 */
export async function openJob(chain: BenchChain, params: JobParameters, packedModel: Uint8Array, seed?: number): Promise<OpenJob> {
  const wallets = await fundedWallets(chain, Number(params.numDOs) + 1, undefined, seed);
  const [owner, ...dataOwners] = wallets;
  const { address } = await deployMarket(owner);
  const market = marketAt(address, owner);
  const { jobId, txs: create } = await createJob({ market, params });
  for (const w of wallets) w.fixedGasLimit = true;
  const publish = await publishModel(market, jobId, packedModel);
  const members: Member[] = [];
  const join: TxCost[] = [];
  for (const [index, signer] of dataOwners.entries()) {
    const keys = seed === undefined ? await generateKeyPair() : await seededKeyPair(seed, index);
    const memberMarket = marketAt(address, signer);
    join.push(...(await joinJob(memberMarket, jobId, keys.publicKey)));
    members.push({ market: memberMarket, jobId, index, secretKey: keys.secretKey });
  }
  const job = { chain, market, jobId, members, wallets, setup: { create, publish, join } };
  await passDrawBlock(job);
  return job;
}

/**
 * Makes sure the chain holds a block after the one that opened the current round: the round's groups are
 * drawn from that block's hash, so until a later block exists the groups are unknown and a commit reverts
 * (MarketDrawUnavailable). On an automining node (or Hardhat's in-process network) nothing else makes that
 * block, so it is mined here (evm_mine); a chain that is past the draw block already is left alone.
 */
export async function passDrawBlock(job: Pick<OpenJob, "chain" | "market" | "jobId">): Promise<void> {
  const { drawBlock } = await job.market.roundInfo(job.jobId);
  if ((await job.chain.provider.getBlockNumber()) <= Number(drawBlock)) await job.chain.rpc("evm_mine", []);
}

/** A Baby Jubjub key pair derived from `seed` and `index`: sk in [1, l), PK = sk · Base8. */
async function seededKeyPair(seed: number, index: number): Promise<{ secretKey: bigint; publicKey: PublicKey }> {
  const secretKey = (BigInt(seededKey(seed, "babyjubjub", index)) % (BABYJUB_L - 1n)) + 1n;
  return { secretKey, publicKey: await publicKeyOf(secretKey) };
}

/** The transactions of one round, by phase. */
export interface RoundCosts {
  commit: TxCost[];
  submit: TxCost[];
  reveal: TxCost[];
  aggregate: TxCost[];
  finalize: TxCost[];
}

/** Wall-clock marks of a round (ms since the process started). */
export interface RoundMarks {
  commitStart: number;
  submitStart: number;
  submitEnd: number;
  revealEnd: number;
  aggregateEnd: number;
  finalizeEnd: number;
}

/** How the data owners act. */
export interface RoundOptions {
  /** Most data owners working at once (1: one after another). */
  concurrency?: number;
}

/** Runs `work` over `items` with at most `limit` at a time; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Runs the open round: a block after its draw block is made if there is none yet (passDrawBlock), every
 * member commits, members not in `dropouts` submit `updates(index)`, the clock moves past the submit deadline
 * when someone dropped, required reveals are made, and the job owner's handle aggregates every chunk and
 * finalizes (a round with too few eligible groups is finalized without chunks: void).
 */
export async function runRound(
  job: OpenJob,
  updates: (index: number) => Uint32Array,
  dropouts: ReadonlySet<number> = new Set(),
  opts: RoundOptions = {},
): Promise<{ costs: RoundCosts; marks: RoundMarks }> {
  const limit = opts.concurrency ?? 16;
  const costs: RoundCosts = { commit: [], submit: [], reveal: [], aggregate: [], finalize: [] };
  await passDrawBlock(job);
  const commitStart = performance.now();
  costs.commit.push(...(await pool(job.members, limit, (m) => commitSeeds(m))));
  const submitStart = performance.now();
  const submitters = job.members.filter((m) => !dropouts.has(m.index));
  costs.submit.push(...(await pool(submitters, limit, (m) => submitMasked(m, updates(m.index)))).flat());
  const submitEnd = performance.now();
  if (dropouts.size > 0) {
    const round = await job.market.roundInfo(job.jobId);
    await job.chain.rpc("evm_setNextBlockTimestamp", [Number(round.submitDeadline + 1n)]);
    await job.chain.rpc("evm_mine", []);
  }
  const reveals = await pool(submitters, limit, (m) => revealSeeds(m));
  costs.reveal.push(...reveals.filter((tx): tx is TxCost => tx !== null));
  const revealEnd = performance.now();
  const aggregated = await aggregateRound(job.market, job.jobId);
  if (!aggregated) throw new Error(`job ${job.jobId} is not in its aggregate phase`);
  costs.aggregate.push(...aggregated.chunks);
  costs.finalize.push(aggregated.finalize);
  const finalizeEnd = performance.now();
  const finalizeTiming = job.chain.timings.get(aggregated.finalize.hash);
  const aggregateEnd = finalizeTiming ? finalizeTiming.sentMs : finalizeEnd;
  return { costs, marks: { commitStart, submitStart, submitEnd, revealEnd, aggregateEnd, finalizeEnd } };
}
