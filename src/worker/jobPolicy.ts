// Whether this worker can safely complete a job before it stakes on it: windows long enough for it to act
// (and at least the contract's floor, which a job on an older contract may lack), a stake in proportion to
// what the job can pay (a slashed stake is burned), a bounded duration and size, enough groups for the
// job's rule to resist one bad group, and a token the operator accepts. `assessJob` is pure: it returns
// one plain reason per failed rule, each naming the value and the limit, and nothing when the job fits.
// A missed-commit forfeit is min(stake, (g − 1) · rewardPerRound), so the stake bound covers it too.
// The policy applies only before joining: a member that walks away forfeits its stake for sure.
import { ZeroAddress, formatEther, getAddress, type BigNumberish } from "ethers";
import { InvalidInputError } from "../errors";
import { Rule, ruleName, type JobParameters } from "../chain";
import { MAX_TX_DATA_BYTES } from "../chain/txs";
import { BPS, MAX_TRIM_BPS, WORD_BYTES } from "../protocol";
import { WINDOWS, jobShape, minEligibleGroups, windowFloors, type WindowFloors } from "../protocol/windows";

/** What this worker is willing to stake on. */
export interface JobPolicy {
  /** Shortest phase window, in seconds, the worker accepts (on top of the contract's floor for the job). */
  minWindowSeconds: number;
  /** Most stake per unit of the most the job can pay this member (rounds × rewardPerRound). */
  maxStakeToRewardRatio: number;
  /** Longest nominal job, in hours: rounds × (commit + submit + reveal + aggregate windows). */
  maxJobHours: number;
  /** Most public parameters (elements of the public model and of each update). */
  maxParams: number;
  /** ERC-20 tokens accepted for the stake and the pay besides ETH; none by default. */
  tokens: readonly string[];
}

/**
 * The defaults, and why:
 * - 60 s windows: five 12-second blocks, room for a node outage the worker retries through, a restart, or
 *   a transaction that waits a block for its nonce (the demo's shortest window, reveal, is 60 s);
 * - a stake of at most 5× the job's whole pay: the demo's one-round job (stake 0.05 ETH, 0.01 ETH a round)
 *   is exactly 5×; beyond that an MO can make the stake, which is burned when slashed, dwarf the reward;
 * - 72 h jobs: the stake is locked until the job settles; the demo's 5-round job takes about two hours;
 * - 2,000,000 parameters: just under the contract's MAX_PARAMS (2^21); the update, its masks and the
 *   model stay a few tens of MB on this machine (the default CNN's public part has 14,080).
 */
export const DEFAULT_JOB_POLICY: JobPolicy = Object.freeze({
  minWindowSeconds: 60,
  maxStakeToRewardRatio: 5,
  maxJobHours: 72,
  maxParams: 2_000_000,
  tokens: Object.freeze([]) as readonly string[],
});

/** The policy with every field not given taken from the defaults; a negative or non-finite limit is refused, naming it. */
export function jobPolicy(given: Partial<JobPolicy> = {}): JobPolicy {
  const policy = { ...DEFAULT_JOB_POLICY, ...given };
  for (const field of ["minWindowSeconds", "maxStakeToRewardRatio", "maxJobHours", "maxParams"] as const) {
    const value = policy[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidInputError(`job policy ${field}`, `must be a non-negative finite number, got ${String(value)}`);
    }
  }
  const tokens = policy.tokens.map((token) => {
    try {
      return getAddress(token);
    } catch (cause) {
      throw new InvalidInputError("job policy tokens", `${token} is not an address`, { cause });
    }
  });
  return { ...policy, tokens };
}

/** The job's words, chunk size and chunks per round as the market derived them (its jobInfo). */
export interface JobShapeInfo {
  wordCount: BigNumberish;
  chunkWords: BigNumberish;
  chunkCount: BigNumberish;
}

type WindowName = keyof WindowFloors;

const WINDOW_FIELDS: Record<WindowName, keyof JobParameters> = {
  join: "joinDuration",
  commit: "commitDuration",
  submit: "submitDuration",
  reveal: "revealDuration",
  aggregate: "aggregateDuration",
};

/** One limit on a window: the seconds it needs and how a reason names it. */
interface WindowLimit {
  seconds: number;
  says: string;
}

/**
 * Seconds this worker's own submit phase may take when each of its transactions waits a block for the one
 * before: a dispute with every peer of the largest group, then its chunks in transactions of at most
 * MAX_TX_DATA_BYTES, one 12 s block each, after MIN_WINDOW_BLOCKS blocks' margin.
 */
export function ownSubmitSeconds(maxGroup: number, chunkWords: number, chunkCount: number): { seconds: number; disputes: number; submissions: number } {
  const disputes = Math.max(0, maxGroup - 1);
  const perTx = Math.max(1, Math.floor(MAX_TX_DATA_BYTES / Math.max(1, chunkWords * WORD_BYTES)));
  const submissions = Math.ceil(chunkCount / perTx);
  return { seconds: WINDOWS.BLOCK_SECONDS * (WINDOWS.MIN_WINDOW_BLOCKS + disputes + submissions), disputes, submissions };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** An amount in the job's token: ETH in ether, an ERC-20 in its base units. */
function amount(value: bigint, token: string): string {
  return token === ZeroAddress ? `${formatEther(value)} ETH` : `${value} units of ${token}`;
}

/** Why this worker should not join the job (empty: it can). `info` is the job's jobInfo; derived from `params` when absent. */
export function assessJob(params: JobParameters, info: JobShapeInfo | undefined, policy: JobPolicy = DEFAULT_JOB_POLICY): string[] {
  const reasons: string[] = [];
  const n = Number(params.numDOs);
  const g = Number(params.groupSize);
  const d = Number(params.paramCount);
  const rounds = Number(params.rounds);
  const token = String(params.token) === ZeroAddress ? ZeroAddress : getAddress(String(params.token));
  const kind = ruleName(params.rule) ?? "median";
  const derived = jobShape(n, g, d, kind);
  const chunkWords = info ? Number(info.chunkWords) : derived.chunkWords;
  const chunkCount = info ? Number(info.chunkCount) : derived.chunks;
  const job = `${n} DOs in groups of ${g}, ${d} parameters`;

  // Size first: the windows' floors grow with it.
  if (d > policy.maxParams) reasons.push(`the model has ${d} public parameters, above this worker's maximum of ${policy.maxParams}`);
  if (chunkWords === 0 || !Number.isFinite(chunkCount)) {
    reasons.push(`no aggregation chunk of this job (${job}) fits one transaction`);
  } else if (chunkCount > WINDOWS.MAX_CHUNKS) {
    reasons.push(`the job's updates need ${chunkCount} aggregation chunks per round, more than the ${WINDOWS.MAX_CHUNKS} the protocol admits`);
  }

  // Windows: each at least the strictest of this worker's minimum, the contract's floor and (submit) its own need.
  const floors = windowFloors(n, g, d, kind);
  const own = Number.isFinite(chunkCount) ? ownSubmitSeconds(derived.maxGroup, chunkWords, chunkCount) : undefined;
  for (const name of Object.keys(WINDOW_FIELDS) as WindowName[]) {
    const value = Number(params[WINDOW_FIELDS[name]] as BigNumberish);
    const limits: WindowLimit[] = [
      { seconds: policy.minWindowSeconds, says: `this worker's minimum of ${policy.minWindowSeconds} s` },
      { seconds: floors[name], says: `the contract's floor of ${floors[name]} s for this job (${job})` },
    ];
    if (name === "submit" && own) {
      limits.push({
        seconds: own.seconds,
        says:
          `the ${own.seconds} s this worker's own submission may take ` +
          `(${plural(own.disputes, "dispute")} and ${plural(own.submissions, "submit transaction")}, one ${WINDOWS.BLOCK_SECONDS} s block each, ` +
          `after ${WINDOWS.MIN_WINDOW_BLOCKS} blocks' margin)`,
      });
    }
    const strictest = limits.filter((l) => value < l.seconds).sort((a, b) => b.seconds - a.seconds)[0];
    if (strictest) reasons.push(`${name} window ${value} s is below ${strictest.says}`);
  }

  // Stake against the most the job can pay this member: a slashed stake (or a missed-commit forfeit, which
  // is at most the stake) is burned, so an MO gains nothing from it, but the member still loses it.
  const stake = BigInt(params.stake);
  const pay = BigInt(rounds) * BigInt(params.rewardPerRound);
  const ratioBps = BigInt(Math.round(policy.maxStakeToRewardRatio * BPS));
  if (stake * BigInt(BPS) > ratioBps * pay) {
    if (pay === 0n) {
      reasons.push(`stake ${amount(stake, token)} is at risk on a job that pays a member nothing`);
    } else {
      const times = Number((stake * 100n) / pay) / 100;
      const most = `${amount(pay, token)}: ${plural(rounds, "round")} of ${amount(BigInt(params.rewardPerRound), token)}`;
      reasons.push(
        `stake ${amount(stake, token)} is ${times}× the most this job pays a member (${most}), above this worker's maximum of ${policy.maxStakeToRewardRatio}×`,
      );
    }
  }

  // Duration: the stake stays locked until the job settles.
  const roundSeconds = (["commit", "submit", "reveal", "aggregate"] as const).reduce((s, name) => s + Number(params[WINDOW_FIELDS[name]] as BigNumberish), 0);
  const hours = (rounds * roundSeconds) / 3600;
  if (hours > policy.maxJobHours) {
    reasons.push(
      `the job's ${plural(rounds, "round")} of up to ${roundSeconds} s each last up to ${hours.toFixed(1)} h, above this worker's maximum of ${policy.maxJobHours} h`,
    );
  }

  // The rule: enough groups that one bad group cannot move the aggregate (else the round is void, unpaid).
  const rule = Number(params.rule);
  const trimBps = Number(params.trimBps);
  const groups = g > 0 ? Math.floor(n / g) : 0;
  const name = ruleName(rule);
  if (rule === Rule.TrimmedMean && (trimBps === 0 || trimBps >= MAX_TRIM_BPS)) {
    reasons.push(`a trimmed mean with trimBps ${trimBps} cannot resist a bad group (it must be between 1 and ${MAX_TRIM_BPS - 1})`);
  } else if (name === undefined) {
    reasons.push(`the job's rule ${rule} is unknown to this worker`);
  } else {
    const needed = minEligibleGroups(name, trimBps);
    if (groups < needed) {
      const what = { "trimmed-mean": `a trimmed mean of ${trimBps} bps`, median: "the median", geomedian: "the geometric median", "multi-krum": "Multi-Krum" }[
        name
      ];
      reasons.push(`${n} DOs in groups of ${g} make ${plural(groups, "group")}, fewer than the ${needed} ${what} needs to resist one bad group`);
    }
  }

  // Token: ETH, or an ERC-20 the operator listed (a token can freeze or tax what it moves).
  if (token !== ZeroAddress && !policy.tokens.some((t) => getAddress(t) === token)) {
    reasons.push(`the job pays in the ERC-20 ${token}, which is not among the tokens this worker accepts (--token; ETH only by default)`);
  }
  return reasons;
}
