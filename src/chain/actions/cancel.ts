// Anyone: settle a job whose roster missed its join deadline — budget and stakes credited back, to release.
// On a node that mines only when a transaction arrives, the chain may not have seen the deadline pass yet:
// a caller that signs first makes a block (nudgeClock), so the dry run sees the job as the next block will.
import type { Provider, Signer } from "ethers";
import { ChainCallError, ChainClockBehindError, ContractRevertError } from "../../errors/chain";
import { chainClock } from "../clock";
import { Phase, type OmniMarket } from "../market";
import { send, type TxCost } from "../txs";
import { chainCall } from "../wrap";
import { nudgeClock } from "./nudgeClock";

/** cancel's input: the market (connected to any signer) and the job. */
export interface CancelParameters {
  market: OmniMarket;
  jobId: bigint;
  /** How far wall time must be past the join deadline before a block is made for it (default: the chain's clockGraceSeconds). */
  graceSeconds?: number;
}

/** cancel's result: what the job credited back (from its JobCancelled event) and the cost. */
export interface CancelReturnType {
  refunded: bigint;
  stakesReturned: bigint;
  tx: TxCost;
}

/** Cancels the job and returns what it credited to its owner and to the joiners. */
export async function cancel({ market, jobId, graceSeconds }: CancelParameters): Promise<CancelReturnType> {
  const runner = market.runner!;
  const provider = runner.provider as Provider;
  const { joinDeadline } = await chainCall("read job", () => market.jobInfo(jobId));
  if (typeof runner.sendTransaction === "function") await nudgeClock({ signer: runner as Signer, deadline: joinDeadline, graceSeconds });
  // Dry run first: eth_call returns the contract's custom error decoded, gas estimation does not.
  await chainCall("cancel", () => market.cancel.staticCall(jobId)).catch(async (error: unknown) => {
    throw (await clockBehind(provider, error, joinDeadline)) ?? error;
  });
  const tx = await send("cancel", (o) => market.cancel(jobId, o));
  const receipt = await chainCall("read cancel receipt", () => provider.getTransactionReceipt(tx.hash));
  const event = receipt?.logs.map((log) => market.interface.parseLog(log)).find((parsed) => parsed?.name === "JobCancelled");
  if (!event) throw new ChainCallError("cancel", `no JobCancelled event in ${tx.hash}`, undefined);
  return { refunded: event.args.refunded as bigint, stakesReturned: event.args.stakesReturned as bigint, tx };
}

/** When the dry run found the job not yet cancelled only because the chain's clock has not reached the deadline, the error that says so. */
async function clockBehind(provider: Provider, error: unknown, joinDeadline: bigint): Promise<ChainClockBehindError | undefined> {
  const notYet = error instanceof ContractRevertError && error.errorName === "MarketUnexpectedPhase" && Number(error.args[2]) === Phase.Cancelled;
  const now = Date.now() / 1000;
  if (!notYet || now <= Number(joinDeadline)) return undefined;
  const latest = await chainClock(provider);
  return latest.timestamp <= Number(joinDeadline) ? new ChainClockBehindError("cancel", "join deadline", Number(joinDeadline), latest, now) : undefined;
}
