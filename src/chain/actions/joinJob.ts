// Data owner: join a job's roster with the stake and a Baby Jubjub public key.
import { ZeroAddress } from "ethers";
import type { PublicKey } from "../../protocol";
import type { OmniMarket } from "../market";
import { send, type TxCost } from "../txs";
import { approveIfToken } from "./createJob";

/** Joins `jobId` paying its stake (approving the token first for ERC-20 jobs); returns the costs. */
export async function joinJob(market: OmniMarket, jobId: bigint, publicKey: PublicKey): Promise<TxCost[]> {
  const params = await market.jobParams(jobId);
  const txs = await approveIfToken(market, params.token, params.stake);
  const value = params.token === ZeroAddress ? params.stake : 0n;
  txs.push(await send("join", (o) => market.join(jobId, publicKey[0], publicKey[1], { value, ...o })));
  return txs;
}
