// Training progress for a person watching: a live bar on a terminal, one line per epoch otherwise.
import type { TrainProgress } from "../ml";
import type { Logger } from "../infra/log";

const WIDTH = 24;

/** A TrainProgress callback that draws a bar on `stream` when it is a terminal, else logs each finished epoch. */
export function progressReporter(log: Logger, stream: NodeJS.WriteStream = process.stderr): (p: TrainProgress) => void {
  return (p) => {
    // TrainProgress counts epochs and batches from 0.
    const batch = p.batch + 1;
    const epoch = `${p.epoch + 1}/${p.epochs}`;
    const done = batch === p.batches;
    if (stream.isTTY) {
      const filled = Math.round((WIDTH * batch) / p.batches);
      stream.write(
        `\r${p.phase} epoch ${epoch} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${batch}/${p.batches} loss ${p.loss.toFixed(4)}${done ? "\n" : ""}`,
      );
    } else if (done) {
      log.info("trained epoch", { phase: p.phase, epoch, loss: p.loss.toFixed(4) });
    }
  };
}
