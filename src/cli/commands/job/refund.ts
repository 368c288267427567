// `omni job refund`: withdraw everything credited to the caller's account (refunds, returned stakes, pay).
import { Command } from "commander";
import { ZeroAddress } from "ethers";
import { chainCall, release } from "../../../chain";
import { chainOptions, marketLocation, withMarket } from "../../connect";
import { fail } from "../../io";
import { amountText, jobOptions, jobTarget, type JobFlags } from "./shared";

/** Releases the caller's credit in the job's token (ETH without a job) and prints the amount. */
export async function refundCommand(flags: JobFlags): Promise<void> {
  try {
    const target = flags.job !== undefined || flags.dir ? jobTarget(flags) : undefined;
    await withMarket(flags, target?.where ?? marketLocation(flags), true, async ({ market, wallet }) => {
      const token = target ? (await chainCall("read job", () => market.jobParams(target.jobId))).token : ZeroAddress;
      const released = await release(market, token, wallet!.address);
      process.stdout.write(
        released
          ? `released ${amountText(released.amount, token)} to ${wallet!.address} (tx ${released.tx.hash})\n`
          : `nothing to release: ${wallet!.address} has no credit in ${token === ZeroAddress ? "ETH" : token}\n`,
      );
    });
  } catch (error) {
    fail("job refund", error);
  }
}

/** Registers `omni job refund`. */
export function registerRefund(job: Command): void {
  jobOptions(
    chainOptions(
      job
        .command("refund")
        .description("release the caller's credits (a cancelled job's budget, unspent budget, stakes, pay); ETH unless the job's token differs"),
    ),
  ).action(refundCommand);
}
