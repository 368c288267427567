// Errors of the command line: the signal that stops a command with an exit code.
import { BaseError } from "./base";

/** Raised by a command to stop with `code` after its message has been printed. */
export class CliExit extends BaseError {
  override name = "CliExit";

  constructor(readonly code: number) {
    super(`exit ${code}`, { details: { code } });
  }
}
