// Model owner, before posting a job: a dry run of createJob (the contract's own checks, decoded to its
// custom error) and enough money for the budget and the gas, so a job that would fail sends nothing.
import { Contract, ZeroAddress, type Signer } from "ethers";
import { chainCall, jobBudget, MAX_TX_DATA_BYTES, type JobParameters, type OmniMarket } from "../chain";
import { InsufficientFundsError } from "../errors";

/** Gas bound of an ERC-20 approval plus createJob (measured: about 260k for createJob). */
const CREATE_GAS_BOUND = 400_000n;
/** Execution gas bound of one publishModel transaction on top of its calldata (hash, two storage writes, event). */
const PUBLISH_EXECUTION_GAS = 50_000n;

/** Gas bound of posting `packed` model bytes: the EIP-7623 calldata floor (10 per token) plus execution, per transaction. */
export function publishGasBound(packed: Uint8Array): bigint {
  const zeros = packed.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
  const tokens = BigInt(zeros + 4 * (packed.length - zeros));
  const txs = BigInt(Math.max(1, Math.ceil(packed.length / MAX_TX_DATA_BYTES)));
  return 10n * tokens + txs * (21_000n + PUBLISH_EXECUTION_GAS);
}

/** Checks that `market`'s signer can post the job and publish `packed`; throws before anything is sent. */
export async function preflightJob(market: OmniMarket, params: JobParameters, packed: Uint8Array): Promise<void> {
  const signer = market.runner as Signer;
  const provider = signer.provider!;
  const owner = await signer.getAddress();
  const budget = jobBudget(params);
  const token = String(params.token);
  const [balance, fees] = await chainCall("balance", () => Promise.all([provider.getBalance(owner), provider.getFeeData()]));
  if (token === ZeroAddress) {
    if (balance < budget) throw new InsufficientFundsError(`the budget (data owners × rounds × reward)`, "wei", budget, balance);
    // An ERC-20 job cannot be dry-run before its approval; its parameters are checked when it is sent.
    await chainCall("createJob", () => market.createJob.staticCall(params, { value: budget }));
  } else {
    const erc20 = new Contract(token, ["function balanceOf(address) view returns (uint256)"], provider);
    const held = (await chainCall("balanceOf", () => erc20.balanceOf(owner))) as bigint;
    if (held < budget) throw new InsufficientFundsError(`the budget (data owners × rounds × reward)`, `token units of ${token}`, budget, held);
  }
  const price = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
  const needed = (token === ZeroAddress ? budget : 0n) + (CREATE_GAS_BOUND + publishGasBound(packed)) * price;
  if (balance < needed) throw new InsufficientFundsError(`the budget and gas at ${price} wei/gas`, "wei", needed, balance);
}
