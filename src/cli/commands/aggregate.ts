// `omni aggregate`: aggregate a JSON array of equal-length number arrays read from stdin.
import { Command } from "commander";
import { z } from "zod";
import { getAggregator } from "../../aggregation";
import { InvalidInputError } from "../../errors";
import { parseJson } from "../../infra";
import { fail, readStdin } from "../io";
import { integerOption, numberOption } from "../options";

interface AggregateFlags {
  rule: string;
  f?: number;
  beta?: number;
  m?: number;
  tau?: number;
}

/** Runs the aggregation on stdin's JSON and prints the result as a JSON array. */
export async function aggregateCommand(flags: AggregateFlags): Promise<void> {
  try {
    const aggregator = getAggregator(flags.rule);
    const text = await readStdin();
    // The rows themselves are checked by the rule (toRows), which names the row and column of a bad value.
    const parsed = parseJson(text, z.array(z.unknown()));
    if (!parsed.ok && parsed.syntax) throw new InvalidInputError("stdin", "is not valid JSON", { cause: parsed.cause });
    if (!parsed.ok) throw new InvalidInputError("stdin", "must be a JSON array of number arrays");
    const result = aggregator.aggregate(parsed.value as number[][], { f: flags.f, beta: flags.beta, m: flags.m, tau: flags.tau });
    process.stdout.write(JSON.stringify(Array.from(result)) + "\n");
  } catch (error) {
    fail("aggregate", error);
  }
}

/** Adds the `aggregate` subcommand to the program. */
export function registerAggregate(program: Command): void {
  program
    .command("aggregate")
    .description("aggregate updates (JSON array of equal-length number arrays on stdin) into one JSON array on stdout")
    .requiredOption("--rule <name>", "mean | weighted-mean | median | trimmed-mean | geomedian | krum | multi-krum | norm-clipping | centered-clipping")
    .option("--f <n>", "Byzantine updates tolerated (krum, multi-krum)", integerOption)
    .option("--beta <b>", "fraction trimmed at each end, in [0, 0.5) (trimmed-mean)", numberOption)
    .option("--m <n>", "updates averaged (multi-krum, default n − f)", integerOption)
    .option("--tau <t>", "clipping radius (norm-clipping, centered-clipping)", numberOption)
    .action(aggregateCommand);
}
