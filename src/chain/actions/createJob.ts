// Model owner: post a job with its budget escrowed (ETH or ERC-20) and read back its id.
import { Contract, ZeroAddress, type Provider, type Signer } from "ethers";
import { ChainCallError } from "../../errors/chain";
import { jobShape } from "../../protocol/windows";
import type { JobParamsStruct } from "../../../typechain-types/contracts/OmniMarket";
import { ruleName, type OmniMarket } from "../market";
import { send, type TxCost } from "../txs";
import { chainCall } from "../wrap";

export type JobParameters = JobParamsStruct;

/** createJob's input: the market (connected to the MO's signer) and the job parameters. */
export interface CreateJobParameters {
  market: OmniMarket;
  params: JobParameters;
}

/** createJob's result: the new job id and the transaction costs (approval included). */
export interface CreateJobReturnType {
  jobId: bigint;
  txs: TxCost[];
}

/** The budget a job must escrow: R · (n · rewardPerRound + (K + 1) · aggregationFee), K its chunks per round. */
export function jobBudget(params: JobParameters): bigint {
  const { chunks } = jobShape(Number(params.numDOs), Number(params.groupSize), Number(params.paramCount), ruleName(params.rule) ?? "median");
  const fees = Number.isFinite(chunks) ? BigInt(chunks + 1) * BigInt(params.aggregationFee) : 0n;
  return BigInt(params.rounds) * (BigInt(params.numDOs) * BigInt(params.rewardPerRound) + fees);
}

/** Approves `amount` of an ERC-20 for the market when the job is paid in a token; returns the approval's cost. */
export async function approveIfToken(market: OmniMarket, token: string, amount: bigint): Promise<TxCost[]> {
  if (token === ZeroAddress) return [];
  const erc20 = new Contract(token, ["function approve(address,uint256) returns (bool)"], market.runner as Signer);
  return [await send("approve", () => erc20.approve(market.target, amount))];
}

/** Posts a job and escrows its budget; returns its id. */
export async function createJob({ market, params }: CreateJobParameters): Promise<CreateJobReturnType> {
  const budget = jobBudget(params);
  const token = String(params.token);
  const txs = await approveIfToken(market, token, budget);
  const value = token === ZeroAddress ? budget : 0n;
  const created = await send("createJob", (o) => market.createJob(params, { value, ...o }));
  txs.push(created);
  // The id comes from this transaction's JobCreated event, not from jobCount(), which another owner may move.
  const receipt = await chainCall("read createJob receipt", () => (market.runner!.provider as Provider).getTransactionReceipt(created.hash));
  const event = receipt?.logs.map((log) => market.interface.parseLog(log)).find((parsed) => parsed?.name === "JobCreated");
  if (!event) throw new ChainCallError("createJob", `no JobCreated event in ${created.hash}`, undefined);
  return { jobId: event.args.jobId as bigint, txs };
}
