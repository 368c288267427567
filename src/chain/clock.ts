// The chain's clock as the contract sees it. `phase(jobId)` compares deadlines with `block.timestamp`, and a
// call at the latest block runs at that block's timestamp: on a node that mines only when a transaction
// arrives, a phase whose deadline passed in wall time goes on until the next block (docs/PROTOCOL.md "The
// clock moves with blocks"). These helpers say which deadline ends the current phase, how far the chain's
// clock lags wall time, and wait for a block, asking the caller to produce one (src/chain/actions/nudgeClock.ts)
// when the chain makes none on its own.
import type { Provider } from "ethers";
import { ChainCallError } from "../errors/chain";
import { Phase, type OmniMarket } from "./market";
import { chainCall } from "./wrap";

/** Chain ids of development nodes (Hardhat and anvil use 31337; ganache and geth --dev 1337), which may mine only on demand. */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];
/** On a development chain: how long wall time may be past a deadline the chain has not reached before a client makes a block. */
export const LOCAL_CLOCK_GRACE_SECONDS = 2;
/** Elsewhere: longer than any live chain leaves between two blocks, so a client never pays for a block that was coming anyway. */
export const LIVE_CLOCK_GRACE_SECONDS = 60;

/** How long a client waits for the chain to reach a deadline on its own before it makes a block itself. */
export function clockGraceSeconds(chainId: bigint): number {
  return LOCAL_CHAIN_IDS.includes(chainId) ? LOCAL_CLOCK_GRACE_SECONDS : LIVE_CLOCK_GRACE_SECONDS;
}

/** The grace of the chain `provider` is connected to (clockGraceSeconds). */
export async function providerClockGrace(provider: Provider): Promise<number> {
  return clockGraceSeconds((await chainCall("read network", () => provider.getNetwork())).chainId);
}

/** The latest block: its number and its timestamp, the time every call at it sees. */
export interface ChainClock {
  blockNumber: number;
  /** Unix seconds. */
  timestamp: number;
}

/** The latest block's number and timestamp. */
export async function chainClock(provider: Provider): Promise<ChainClock> {
  const block = await chainCall("read latest block", () => provider.getBlock("latest"));
  if (!block) throw new ChainCallError("read latest block", "the node returned no latest block", undefined);
  return { blockNumber: block.number, timestamp: block.timestamp };
}

/**
 * The deadline (unix seconds) that ends `phase` of the job: the phase lasts while `block.timestamp` is at most
 * this. Publishing and Joining end at the join deadline (the job is then cancelled unless its roster filled);
 * Commit, Submit and Reveal at the current round's deadline of that phase; Aggregate at the aggregation
 * deadline, after which finalizeRound settles the round without its aggregate. Undefined for Completed and
 * Cancelled, which are final.
 */
export async function phaseDeadline(market: OmniMarket, jobId: bigint, phase: number): Promise<bigint | undefined> {
  if (phase === Phase.Publishing || phase === Phase.Joining) return (await chainCall("read job", () => market.jobInfo(jobId))).joinDeadline;
  if (phase < Phase.Commit || phase > Phase.Aggregate) return undefined;
  const round = await chainCall("read round", () => market.roundInfo(jobId));
  return [round.commitDeadline, round.submitDeadline, round.revealDeadline, round.aggregateDeadline][phase - Phase.Commit];
}

/** Options of waitForBlockAfter. */
export interface WaitForBlockOptions {
  /** Wall seconds without a new block before `nudge` is called (default: the chain's clockGraceSeconds). */
  graceSeconds?: number;
  /** How often the latest block is read (default 250 ms). */
  pollMs?: number;
}

/**
 * Waits until the chain holds a block after `blockNumber` and returns the latest block. When none comes for
 * `graceSeconds` of wall time (a node that mines only on transactions), calls `nudge` — say, tickClock from the
 * waiting account — and waits on; a chain that makes blocks on its own is never nudged.
 */
export async function waitForBlockAfter(
  provider: Provider,
  blockNumber: number,
  nudge: () => Promise<unknown>,
  opts: WaitForBlockOptions = {},
): Promise<ChainClock> {
  const graceMs = (opts.graceSeconds ?? (await providerClockGrace(provider))) * 1000;
  const pollMs = opts.pollMs ?? 250;
  let since = Date.now();
  for (;;) {
    const latest = await chainClock(provider);
    if (latest.blockNumber > blockNumber) return latest;
    if (Date.now() - since >= graceMs) {
      await nudge();
      since = Date.now();
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
