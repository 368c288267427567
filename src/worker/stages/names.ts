// The worker's stages, in the order a job passes them. Each is logged once it is done, as one line
// `stage <name> key=value...`, so an operator, a test or a benchmark can follow a worker from its log alone.

/**
 * What a worker has done, in protocol order. The phase of src/chain `Phase` each stage belongs to:
 * joined (Joining), committed (Commit), trained (Commit or Submit), submitted (Submit), revealed (Reveal),
 * aggregated (Aggregate), released (Completed or Cancelled). A round repeats committed … aggregated.
 */
export const WORKER_STAGES = ["joined", "committed", "trained", "submitted", "revealed", "aggregated", "released"] as const;

export type WorkerStage = (typeof WORKER_STAGES)[number];

/** A stage line read back from a worker's log. */
export interface StageEvent {
  stage: WorkerStage;
  /** The round the stage belongs to, when it belongs to one. */
  round?: number;
  details: Record<string, string>;
}

const STAGE_LINE = /\] stage (\w+)((?: [\w]+=\S*)*)\s*$/;

/** The message of a stage line; the logger adds the time, the tag and the details. */
export function stageMessage(stage: WorkerStage): string {
  return `stage ${stage}`;
}

/** The stage event of one worker log line, or undefined when the line is not a stage line. */
export function parseStageLine(line: string): StageEvent | undefined {
  const match = STAGE_LINE.exec(line);
  if (!match || !(WORKER_STAGES as readonly string[]).includes(match[1])) return undefined;
  const details: Record<string, string> = {};
  for (const pair of match[2].trim().split(" ").filter(Boolean)) {
    const eq = pair.indexOf("=");
    details[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const round = details.round === undefined ? undefined : Number(details.round);
  return { stage: match[1] as WorkerStage, round, details };
}
