// Input and output helpers shared by the CLI commands.
import { BaseError, CliExit } from "../errors";

/** Exit code for bad input or arguments (the user's fault). */
export const EXIT_BAD_INPUT = 2;
/** Exit code for an unexpected failure. */
export const EXIT_FAILURE = 1;

/** Reads all of stdin as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Prints a one-line error on stderr and stops with exit code 2 for project errors, 1 otherwise. */
export function fail(command: string, error: unknown): never {
  const known = error instanceof BaseError;
  const message = known ? error.shortMessage : error instanceof Error ? error.message : String(error);
  process.stderr.write(`omni ${command}: ${message.replace(/\s+/g, " ")}\n`);
  throw new CliExit(known ? EXIT_BAD_INPUT : EXIT_FAILURE);
}
