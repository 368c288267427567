// `omni job cancel`: settle a job whose roster was not full by the join deadline — budget back to its
// owner, stakes back to the joiners, as credits to release.
import { Command } from "commander";
import { cancel, chainCall } from "../../../chain";
import { chainOptions, withMarket } from "../../connect";
import { fail } from "../../io";
import { amountText, jobOptions, jobTarget, type JobFlags } from "./shared";

/** Cancels the job and prints what was credited. */
export async function cancelCommand(flags: JobFlags): Promise<void> {
  try {
    const { jobId, where } = jobTarget(flags);
    await withMarket(flags, where, true, async ({ market }) => {
      const { refunded, stakesReturned, tx } = await cancel({ market, jobId });
      const { token } = await chainCall("read job", () => market.jobParams(jobId));
      process.stdout.write(
        `job ${jobId} cancelled (tx ${tx.hash}): ${amountText(refunded, token)} credited to the owner, ` +
          `${amountText(stakesReturned, token)} of stakes to the data owners; withdraw with \`omni job refund\`\n`,
      );
    });
  } catch (error) {
    fail("job cancel", error);
  }
}

/** Registers `omni job cancel`. */
export function registerCancel(job: Command): void {
  jobOptions(
    chainOptions(job.command("cancel").description("cancel a job whose roster was not full by its join deadline (credits budget and stakes back)")),
  ).action(cancelCommand);
}
