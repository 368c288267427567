// `npm run demo`: the whole market on a local chain from one command (see src/devnet/runMarket.ts).
// Usage: npm run demo -- [--chain anvil|hardhat] [--data-owners 9] [--group-size 3] [--rounds 3]
//   [--rule median|trimmed-mean|geomedian [--trim-bps B]] [--malicious K --attack NAME [--omniscient]] [--json]
import { Command, Option } from "commander";
import path from "path";
import { integerOption } from "../src/cli/options";
import { parseChainClient, type ChainClient } from "../src/devnet/localNode";
import { runMarket } from "../src/devnet/runMarket";
import type { JobRuleName } from "../src/chain";
import { roundTable } from "../src/owner/report";

interface DemoFlags {
  dataOwners: number;
  groupSize: number;
  rounds: number;
  chain?: ChainClient;
  malicious: number;
  attack?: string;
  omniscient: boolean;
  rule: JobRuleName;
  trimBps?: number;
  json: boolean;
  report: string;
}

async function main(flags: DemoFlags): Promise<void> {
  // With --json, progress goes to stderr so that stdout ends with exactly one JSON line.
  const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line + "\n");
  const report = await runMarket({ ...flags, reportDir: flags.report, deploymentName: "localhost", say });
  say("\n" + roundTable(report));
  const { booksBalance, attackersPaid, honestUnpaidRounds, attackerPayShare, honestPayLost } = report.checks;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  say(
    `\nbooks balance to the wei: ${booksBalance ? "yes" : "NO"}; ` +
      (attackerPayShare === null ? "no attackers" : `attackers paid: ${attackersPaid.length}, earning ${pct(attackerPayShare)} of an honest DO's pay`) +
      `; honest DOs lost ${pct(honestPayLost)} of their pay (${honestUnpaidRounds.length} member-rounds unpaid)`,
  );
  if (flags.json) process.stdout.write(JSON.stringify(report) + "\n");
}

new Command("demo")
  .description("run the whole market on a local chain: anvil or a hardhat node, contract, model owner, data-owner worker processes")
  .option("--chain <client>", "the local chain's client: anvil or hardhat (default anvil, or OMNI_CHAIN)", (value: string) => parseChainClient(value))
  .option("--data-owners <n>", "data owners (worker processes; at least 3 groups, so the median resists one bad group)", integerOption, 9)
  .option("--group-size <n>", "group size g", integerOption, 3)
  .option("--rounds <n>", "rounds", integerOption, 3)
  .addOption(
    new Option("--rule <rule>", "the job's robust rule across group means").choices(["median", "trimmed-mean", "geomedian", "multi-krum"]).default("median"),
  )
  .option("--trim-bps <b>", "trimmed mean: basis points trimmed at each end", integerOption)
  .option("--malicious <n>", "how many data owners attack", integerOption, 0)
  .option(
    "--attack <name>",
    "the attack the malicious data owners run (sign-flip, scaling, gaussian, alie, ipm, label-flip, free-rider, stale-free-rider, bounded, intermittent)",
  )
  .option("--omniscient", "the attackers read the honest data owners' updates every round (ALIE and IPM at full strength)", false)
  .option("--json", "end with one JSON line holding every figure", false)
  .option("--report <dir>", "where to write report.json, report.md and chart.svg", path.join(__dirname, "..", "reports", "demo"))
  .action(main)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
