// `omni job status`: a job's phase, roster, finalized rounds, held pay and books, from chain data. The phase is the one
// calls at the latest block see, so the chain time is printed beside it; when the phase's deadline has passed
// by this machine's clock but the chain has made no block since, the status says that its next block ends it.
import { Command } from "commander";
import { Phase, chainCall, chainClock, phaseDeadline, phaseName, type ChainClock, type OmniMarket } from "../../../chain";
import { finalizedRounds } from "../../../owner/jobReport";
import { groupsText, roundFacts } from "../../../owner/roundReport";
import { chainOptions, withMarket } from "../../connect";
import { fail } from "../../io";
import { amountText, jobOptions, jobTarget, type JobFlags } from "./shared";

/** Prints the job's status as plain lines on stdout. */
export async function statusCommand(flags: JobFlags): Promise<void> {
  try {
    const { jobId, where } = jobTarget(flags);
    await withMarket(flags, where, false, async ({ market, chainId, provider }) => {
      // phase() is the view that refuses an unknown job id (MarketUnknownJob).
      const clock = await chainClock(provider);
      const phase = Number(await chainCall("status", () => market.phase(jobId, { blockTag: clock.blockNumber })));
      const deadline = await phaseDeadline(market, jobId, phase);
      const [params, info, books] = await chainCall("status", () => Promise.all([market.jobParams(jobId), market.jobInfo(jobId), market.jobBooks(jobId)]));
      const token = params.token;
      const rounds = await finalizedRounds(market, jobId);
      const lines = [
        `job ${jobId} on chain ${chainId} at ${String(market.target)}: ${phaseName(phase)} as of block ${clock.blockNumber} (chain time ${isoTime(clock.timestamp)})`,
        ...stalledLine(phase, deadline, clock),
        `owner ${info.owner}; ${params.numDOs} data owners in groups of ${params.groupSize}+, ${params.rounds} rounds, reward ${amountText(params.rewardPerRound, token)} per round, stake ${amountText(params.stake, token)}`,
        `roster ${info.joined}/${params.numDOs}` + (phase >= Phase.Commit && phase <= Phase.Aggregate ? `; round ${info.round} in progress` : ""),
      ];
      for (const round of rounds) {
        const r = await roundFacts(market, jobId, round);
        lines.push(`round ${round}: ${groupsText(r)}, paid ${amountText(BigInt(r.paidWei), token)}, gas ${r.gasUsed}, chain time ${r.chainMs / 1000} s`);
      }
      lines.push(await recordsLine(market, jobId, Number(info.joined), info.closed));
      lines.push(
        `books: budget ${amountText(books.budget, token)}, stakes ${books.stakes}, paid ${books.paid}, aggregation fees ${books.fees}, refunded ${books.refunded}, slashed (burned) ${books.slashed}, stakes returned ${books.stakesReturned}`,
      );
      process.stdout.write(lines.join("\n") + "\n");
    });
  } catch (error) {
    fail("job status", error);
  }
}

/** The members whose pay is held (PROTOCOL.md "Blame across rounds"), with their clearing rounds; at settlement it is released to those with one. */
async function recordsLine(market: OmniMarket, jobId: bigint, joined: number, closed: boolean): Promise<string> {
  const records = await chainCall("status", () => Promise.all(Array.from({ length: joined }, (_, i) => market.memberRecord(jobId, i))));
  const held = records.flatMap((r, i) => (r.held > 0n ? [`member ${i} ${r.held} round(s) (${r.cleared} clearing)`] : []));
  if (held.length === 0) return "records: no pay held";
  return `records: pay held for ${held.join(", ")}${closed ? "; settled" : "; released at settlement to members with a clearing round"}`;
}

const isoTime = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** The line that says the phase ends with the chain's next block, when its deadline passed by this machine's clock but not on the chain. */
function stalledLine(phase: number, deadline: bigint | undefined, clock: ChainClock, now = Date.now() / 1000): string[] {
  if (deadline === undefined || now <= Number(deadline) || clock.timestamp > Number(deadline)) return [];
  const which = phase <= Phase.Joining ? "join" : phaseName(phase).toLowerCase();
  const then = phase <= Phase.Joining ? ": the job is then cancelled (`omni job cancel` makes that block and settles it)" : "";
  return [
    `the ${which} deadline ${isoTime(deadline)} passed ${Math.round(now - Number(deadline))} s ago by this machine's clock, ` +
      `but the chain has made no block since: its next block ends ${phaseName(phase)}${then}`,
  ];
}

/** Registers `omni job status`. */
export function registerStatus(job: Command): void {
  jobOptions(chainOptions(job.command("status").description("show a job's phase, roster, finalized rounds, held pay and books"), false)).action(statusCommand);
}
