// `omni job`: the model owner's commands — create a job, watch it, pull each round, cancel, withdraw.
import { Command } from "commander";
import { registerCancel } from "./cancel";
import { registerCreate } from "./create";
import { registerPull } from "./pull";
import { registerRefund } from "./refund";
import { registerStatus } from "./status";

/** Registers `omni job` and its subcommands. */
export function registerJob(program: Command): void {
  const job = program.command("job").description("model owner: create a training job, follow it, pull each round's model, cancel, withdraw");
  registerCreate(job);
  registerStatus(job);
  registerPull(job);
  registerCancel(job);
  registerRefund(job);
}
