// What the `omni job` subcommands share: naming the job (--job or a job folder) and printing amounts.
import { Command } from "commander";
import { ZeroAddress } from "ethers";
import { InvalidInputError } from "../../../errors";
import { requireJobRecord, type JobRecord } from "../../../owner/jobFolder";
import { marketLocation, type ChainFlags, type MarketLocation } from "../../connect";
import { bigintOption } from "../../options";

/** The flags of a command that acts on one job. */
export interface JobFlags extends ChainFlags {
  job?: bigint;
  dir?: string;
}

/** The job a command acts on, where its market is, and its folder's record when --dir named one. */
export interface JobTarget {
  jobId: bigint;
  where: MarketLocation;
  record?: JobRecord;
}

/** Adds --job and --dir. */
export function jobOptions(command: Command): Command {
  return command
    .option("--job <id>", "the job id (on the market of --market / --deployment)", bigintOption)
    .option("--dir <folder>", "a job folder written by `omni job create` (its job.json names the job, market and chain)");
}

/** The job named by --dir (job.json's job, market and chain) or else by --job. */
export function jobTarget(flags: JobFlags): JobTarget {
  if (flags.dir) {
    const record = requireJobRecord(flags.dir);
    const jobId = BigInt(record.jobId);
    if (flags.job !== undefined && flags.job !== jobId) throw new InvalidInputError("--job", `${flags.job} is not job ${jobId} of ${flags.dir}`);
    return { jobId, where: { market: record.market, chainId: BigInt(record.chainId) }, record };
  }
  if (flags.job === undefined) throw new InvalidInputError("--job", "name the job with --job <id> or --dir <folder>");
  return { jobId: flags.job, where: marketLocation(flags) };
}

/** An amount in the job's token: wei for ETH, base units for an ERC-20. */
export function amountText(amount: bigint, token: string): string {
  return token === ZeroAddress ? `${amount} wei` : `${amount} units of ${token}`;
}
