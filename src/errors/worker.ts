// Errors of the worker's set-up: wrong chain, no market, a job it cannot take part in.
import { BaseError } from "./base";

/** The worker cannot start as configured; the message names the setting and the problem. */
export class WorkerSetupError extends BaseError {
  override name = "WorkerSetupError";
}
