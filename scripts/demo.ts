// `npm run demo`: the whole market on a local chain from one command (see src/devnet/runMarket.ts).
// Usage: npm run demo -- [--chain anvil|hardhat] [--data-owners 9] [--group-size 3] [--rounds 3] [--malicious K --attack NAME] [--json]
import { Command } from "commander";
import path from "path";
import { integerOption } from "../src/cli/options";
import { parseChainClient, type ChainClient } from "../src/devnet/localNode";
import { runMarket } from "../src/devnet/runMarket";
import { roundTable } from "../src/owner/report";

interface DemoFlags {
  dataOwners: number;
  groupSize: number;
  rounds: number;
  chain?: ChainClient;
  malicious: number;
  attack?: string;
  json: boolean;
  report: string;
}

async function main(flags: DemoFlags): Promise<void> {
  // With --json, progress goes to stderr so that stdout ends with exactly one JSON line.
  const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line + "\n");
  const report = await runMarket({ ...flags, reportDir: flags.report, deploymentName: "localhost", say });
  say("\n" + roundTable(report));
  const { booksBalance, attackersPaid, honestUnpaidRounds } = report.checks;
  say(
    `\nbooks balance to the wei: ${booksBalance ? "yes" : "NO"}; attackers paid: ${attackersPaid.length}; honest (member, round) pairs unpaid: ${honestUnpaidRounds.length}`,
  );
  if (flags.json) process.stdout.write(JSON.stringify(report) + "\n");
}

new Command("demo")
  .description("run the whole market on a local chain: anvil or a hardhat node, contract, model owner, data-owner worker processes")
  .option("--chain <client>", "the local chain's client: anvil or hardhat (default anvil, or OMNI_CHAIN)", (value: string) => parseChainClient(value))
  .option("--data-owners <n>", "data owners (worker processes; at least 3 groups, so the median resists one bad group)", integerOption, 9)
  .option("--group-size <n>", "group size g", integerOption, 3)
  .option("--rounds <n>", "rounds", integerOption, 3)
  .option("--malicious <n>", "how many data owners attack", integerOption, 0)
  .option("--attack <name>", "the attack the malicious data owners run (sign-flip, scaling, gaussian, alie, ipm, label-flip, free-rider)")
  .option("--json", "end with one JSON line holding every figure", false)
  .option("--report <dir>", "where to write report.json, report.md and chart.svg", path.join(__dirname, "..", "reports", "demo"))
  .action(main)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
