// `omni job status`: a job's phase, roster, finalized rounds and books, from chain data.
import { Command } from "commander";
import { Phase, chainCall, phaseName } from "../../../chain";
import { finalizedRounds } from "../../../owner/jobReport";
import { roundFacts } from "../../../owner/roundReport";
import { chainOptions, withMarket } from "../../connect";
import { fail } from "../../io";
import { amountText, jobOptions, jobTarget, type JobFlags } from "./shared";

/** Prints the job's status as plain lines on stdout. */
export async function statusCommand(flags: JobFlags): Promise<void> {
  try {
    const { jobId, where } = jobTarget(flags);
    await withMarket(flags, where, false, async ({ market, chainId }) => {
      // phase() is the view that refuses an unknown job id (MarketUnknownJob).
      const phase = Number(await chainCall("status", () => market.phase(jobId)));
      const [params, info, books] = await chainCall("status", () => Promise.all([market.jobParams(jobId), market.jobInfo(jobId), market.jobBooks(jobId)]));
      const token = params.token;
      const rounds = await finalizedRounds(market, jobId);
      const lines = [
        `job ${jobId} on chain ${chainId} at ${String(market.target)}: ${phaseName(phase)}`,
        `owner ${info.owner}; ${params.numDOs} data owners in groups of ${params.groupSize}+, ${params.rounds} rounds, reward ${amountText(params.rewardPerRound, token)} per round, stake ${amountText(params.stake, token)}`,
        `roster ${info.joined}/${params.numDOs}` + (phase >= Phase.Commit && phase <= Phase.Aggregate ? `; round ${info.round} in progress` : ""),
      ];
      for (const round of rounds) {
        const r = await roundFacts(market, jobId, round);
        lines.push(
          `round ${round}: inlier groups ${r.inlierGroups}/${r.eligibleGroups}, paid ${amountText(BigInt(r.paidWei), token)}, gas ${r.gasUsed}, chain time ${r.chainMs / 1000} s`,
        );
      }
      lines.push(
        `books: budget ${amountText(books.budget, token)}, stakes ${books.stakes}, paid ${books.paid}, refunded ${books.refunded}, slashed ${books.slashed}, stakes returned ${books.stakesReturned}`,
      );
      process.stdout.write(lines.join("\n") + "\n");
    });
  } catch (error) {
    fail("job status", error);
  }
}

/** Registers `omni job status`. */
export function registerStatus(job: Command): void {
  jobOptions(chainOptions(job.command("status").description("show a job's phase, roster, finalized rounds and books"), false)).action(statusCommand);
}
