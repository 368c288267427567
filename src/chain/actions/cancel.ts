// Anyone: settle a job whose roster missed its join deadline — budget and stakes credited back, to release.
import type { Provider } from "ethers";
import { ChainCallError } from "../../errors/chain";
import type { OmniMarket } from "../market";
import { send, type TxCost } from "../txs";
import { chainCall } from "../wrap";

/** cancel's input: the market (connected to any signer) and the job. */
export interface CancelParameters {
  market: OmniMarket;
  jobId: bigint;
}

/** cancel's result: what the job credited back (from its JobCancelled event) and the cost. */
export interface CancelReturnType {
  refunded: bigint;
  stakesReturned: bigint;
  tx: TxCost;
}

/** Cancels the job and returns what it credited to its owner and to the joiners. */
export async function cancel({ market, jobId }: CancelParameters): Promise<CancelReturnType> {
  // Dry run first: eth_call returns the contract's custom error decoded, gas estimation does not.
  await chainCall("cancel", () => market.cancel.staticCall(jobId));
  const tx = await send("cancel", (o) => market.cancel(jobId, o));
  const receipt = await chainCall("read cancel receipt", () => (market.runner!.provider as Provider).getTransactionReceipt(tx.hash));
  const event = receipt?.logs.map((log) => market.interface.parseLog(log)).find((parsed) => parsed?.name === "JobCancelled");
  if (!event) throw new ChainCallError("cancel", `no JobCancelled event in ${tx.hash}`, undefined);
  return { refunded: event.args.refunded as bigint, stakesReturned: event.args.stakesReturned as bigint, tx };
}
