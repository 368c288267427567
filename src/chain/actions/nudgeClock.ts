// Anyone: make a block so the contract observes the time. When a deadline has passed in wall time but the
// chain's latest block is not past it (a node that mines only when a transaction arrives), a 0-value
// transaction from the caller to itself lands in a new block, stamped with the time it is mined, and the
// phase that deadline ends is over for every call after it (docs/PROTOCOL.md "The clock moves with blocks").
// On a chain whose blocks keep coming it sends nothing.
import type { Signer } from "ethers";
import { ChainCallError } from "../../errors/chain";
import { chainClock, providerClockGrace } from "../clock";
import type { TxCost } from "../txs";
import { chainCall } from "../wrap";

/** nudgeClock's input. */
export interface NudgeClockParameters {
  /** The account that pays for the block, connected to the node. */
  signer: Signer;
  /** Unix seconds the chain must pass: a phase lasts while `block.timestamp` is at most its deadline. */
  deadline: bigint | number;
  /** How far wall time must be past the deadline before a transaction is sent (default: the chain's clockGraceSeconds). */
  graceSeconds?: number;
  /** Wall time in milliseconds (default Date.now()). */
  nowMs?: number;
}

/** nudgeClock's result: the transaction that made the block, or null when none was needed. */
export type NudgeClockReturnType = TxCost | null;

/** Sends a 0-value transaction from `signer` to itself when wall time passed `deadline` by the grace and the chain has not; returns it, or null. */
export async function nudgeClock({ signer, deadline, graceSeconds, nowMs = Date.now() }: NudgeClockParameters): Promise<NudgeClockReturnType> {
  const provider = signer.provider;
  if (!provider) throw new ChainCallError("nudge clock", "the signer is not connected to a node", undefined);
  const grace = graceSeconds ?? (await providerClockGrace(provider));
  // Wall time first: before the deadline nothing is read.
  if (nowMs / 1000 <= Number(deadline) + grace) return null;
  if ((await chainClock(provider)).timestamp > Number(deadline)) return null;
  return tickClock(signer);
}

/** Sends a 0-value transaction from `signer` to itself and waits for the block it lands in. */
export async function tickClock(signer: Signer): Promise<TxCost> {
  return chainCall("nudge clock", async () => {
    const response = await signer.sendTransaction({ to: await signer.getAddress(), value: 0n });
    const receipt = await response.wait();
    if (!receipt) throw new ChainCallError("nudge clock", `no receipt for ${response.hash}`, undefined);
    return { hash: receipt.hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
  });
}
