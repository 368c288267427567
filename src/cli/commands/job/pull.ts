// `omni job pull`: apply every newly finalized round to the job folder's model — the public part from
// chain data alone (hash chains verified), the private part fine-tuned on the owner's data — evaluate,
// and write the per-round table and the run report.
import { Command } from "commander";
import path from "path";
import { evaluate, initBackend, loadModel, saveModel } from "../../../ml";
import { PublicModelTracker } from "../../../chain";
import { applyRound } from "../../../owner/applyRound";
import { requireJobRecord, writeJobRecord } from "../../../owner/jobFolder";
import { finalizedRounds, jobRunReport } from "../../../owner/jobReport";
import { DEMO_RECIPE } from "../../../owner/recipe";
import { roundTable, writeReport } from "../../../owner/report";
import { roundFacts } from "../../../owner/roundReport";
import { rpcOption, withMarket } from "../../connect";
import { fail } from "../../io";
import { integerOption } from "../../options";
import { loadInput, ownerData, taskData } from "./data";

interface PullFlags {
  rpc: string;
  dir: string;
  eval?: number;
  finetuneEpochs: number;
  data?: string;
}

/** Applies the pending rounds, saving the model and job.json after each, then prints the table and writes the report. */
export async function pullCommand(f: PullFlags): Promise<void> {
  try {
    const record = requireJobRecord(f.dir);
    const jobId = BigInt(record.jobId);
    await withMarket(f, { market: record.market, chainId: BigInt(record.chainId) }, false, async ({ market }) => {
      const applied = new Set(record.rounds.map((r) => r.round));
      const pending = (await finalizedRounds(market, jobId)).filter((round) => !applied.has(round));
      await initBackend();
      // Every input is read before anything is written: bad data or a bad model leaves the folder as it was.
      const own = pending.length > 0 || f.data !== undefined ? await ownerData(record, f.data) : undefined;
      const model = await loadInput("--dir", () => loadModel(path.join(f.dir, record.model)));
      const test = taskData(record.task, "test", f.eval);
      if (record.initialAccuracy === undefined) {
        record.initialAccuracy = evaluate(model, test);
        writeJobRecord(f.dir, record);
      }
      const models = new PublicModelTracker(market, jobId);
      for (const round of pending) {
        const accuracy = await applyRound(models, round, model, own!, test, { ...DEMO_RECIPE.finetune, epochs: f.finetuneEpochs });
        const version = `model-round-${round}`;
        await saveModel(model, path.join(f.dir, version));
        record.rounds.push({ ...(await roundFacts(market, jobId, round)), accuracy });
        record.model = version;
        writeJobRecord(f.dir, record);
        process.stderr.write(`round ${round} applied: test accuracy ${(accuracy * 100).toFixed(2)}% on ${test.n} samples\n`);
      }
      const report = await jobRunReport(market, jobId, {
        initialAccuracy: record.initialAccuracy,
        rounds: record.rounds,
        config: {
          jobId: record.jobId,
          market: record.market,
          chainId: record.chainId,
          task: record.task,
          evalSamples: test.n,
          finetuneEpochs: f.finetuneEpochs,
        },
        wallMs: Date.now() - Date.parse(record.createdAt),
      });
      const file = writeReport(path.join(f.dir, "report"), report);
      process.stdout.write(`${roundTable(report)}\nreport: ${file}\n`);
    });
  } catch (error) {
    fail("job pull", error);
  }
}

/** Registers `omni job pull`. */
export function registerPull(job: Command): void {
  rpcOption(job.command("pull").description("apply each newly finalized round to the local model, fine-tune, evaluate, and write the report"))
    .requiredOption("--dir <folder>", "the job folder written by `omni job create`")
    .option("--eval <samples>", "evaluate on the first N test samples instead of the whole test set", integerOption)
    .option("--finetune-epochs <e>", "epochs fine-tuning the private part after each round", integerOption, DEMO_RECIPE.finetune.epochs)
    .option("--data <shard>", "the owner's own data (a shard folder); default: the samples it pretrained on")
    .action(pullCommand);
}
