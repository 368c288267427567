// Stage `joined`: the stake and the job key go on-chain (after checking the account can pay for them), or a
// restarted worker finds the roster index it already holds; the job is then recorded for restarts.
import { Contract, ZeroAddress, type Wallet } from "ethers";
import { WorkerSetupError } from "../../errors";
import { ContractRevertError } from "../../errors/chain";
import type { Logger } from "../../infra";
import { joinJob, type Member, type OmniMarket } from "../../chain";
import { logStage, type JobParams, type WorkerOptions } from "../context";
import { jobKeyPair } from "../jobKey";
import { withChainRetry } from "../retry";
import { writeWorkerState } from "../stateFile";

/** The account's roster index in the job, or undefined when it has not joined. */
export async function rosterIndex(market: OmniMarket, jobId: bigint, account: string, log: Logger): Promise<number | undefined> {
  try {
    return Number(await withChainRetry("read roster", () => market.memberIndex(jobId, account), log));
  } catch (error) {
    if (error instanceof ContractRevertError && error.errorName === "MarketNotMember") return undefined;
    throw error;
  }
}

/** Gas bound of a join (measured: about 380,000, most of it the key's subgroup check). */
const JOIN_GAS_BOUND = 500_000n;

/** Refuses to join when the account cannot pay the stake and the join's gas; nothing is sent. */
async function checkFunds(wallet: Wallet, jobId: bigint, params: JobParams, log: Logger): Promise<void> {
  const provider = wallet.provider!;
  const account = wallet.address;
  const [balance, fees] = await withChainRetry("read balance", () => Promise.all([provider.getBalance(account), provider.getFeeData()]), log);
  const short = (what: string, unit: string, needed: bigint, held: bigint) =>
    new WorkerSetupError(
      `insufficient funds: joining job ${jobId} needs ${what} of ${needed} ${unit}, ${account} holds ${held} (short by ${needed - held} ${unit})`,
    );
  if (params.token === ZeroAddress) {
    if (balance < params.stake) throw short("the stake", "wei", params.stake, balance);
    const needed = params.stake + JOIN_GAS_BOUND * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n);
    if (balance < needed) throw short("the stake and the gas", "wei", needed, balance);
  } else {
    const erc20 = new Contract(params.token, ["function balanceOf(address) view returns (uint256)"], provider);
    const held = (await withChainRetry("read balance", () => erc20.balanceOf(account), log)) as bigint;
    if (held < params.stake) throw short("the stake", `units of ${params.token}`, params.stake, held);
  }
}

/** Joins the job (stake and key), or finds the roster index it already holds; then records the job for restarts. */
export async function joinOrResume(
  opts: WorkerOptions,
  wallet: Wallet,
  market: OmniMarket,
  chainId: bigint,
  jobId: bigint,
  params: JobParams,
): Promise<Member> {
  const log = opts.log;
  const keys = await jobKeyPair(wallet, chainId, opts.market, jobId);
  let index = await rosterIndex(market, jobId, wallet.address, log);
  const resumed = index !== undefined;
  if (index === undefined) {
    try {
      await checkFunds(wallet, jobId, params, log);
      await withChainRetry("join", () => joinJob(market, jobId, keys.publicKey), log);
    } catch (error) {
      // A join whose answer was lost in an outage may have gone through: the retry then reverts.
      // Otherwise another data owner may have filled the roster first: a normal race, not a crash.
      if (!(error instanceof ContractRevertError)) throw error;
      if ((await rosterIndex(market, jobId, wallet.address, log)) === undefined) {
        throw new WorkerSetupError(`cannot join job ${jobId}: ${error.shortMessage}`, { cause: error });
      }
    }
    index = await rosterIndex(market, jobId, wallet.address, log);
    if (index === undefined) throw new WorkerSetupError(`joined job ${jobId} but ${wallet.address} is not on its roster`);
  }
  // Saved only once this account is on the roster, so a failed join never pins a restart to that job.
  writeWorkerState(opts.stateDir, { jobId, market: opts.market, chainId });
  if (resumed) log.info("resuming", { jobId, index });
  else logStage(log, "joined", { jobId, index });
  return { market, jobId, index, secretKey: keys.secretKey };
}
