// The omni command line: one program, each subcommand registered from its own file in ./commands.
import { Command, CommanderError } from "commander";
import { registerAggregate } from "./commands/aggregate";
import { registerJob } from "./commands/job";
import { registerWorker } from "./commands/worker";
import { CliExit } from "../errors";
import { EXIT_BAD_INPUT } from "./io";

/** Builds the program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command("omni")
    .description("OmniMarket: a trust-minimised data marketplace for machine learning")
    .exitOverride()
    .showHelpAfterError(false);
  registerAggregate(program);
  registerWorker(program);
  registerJob(program);
  return program;
}

/** Parses argv, runs the chosen command, and returns the process exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    throw error;
  }
}
