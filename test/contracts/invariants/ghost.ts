// The ghost accounting of one call sequence: the model of every job, what each account may release, what the
// market holds per asset, the credits booked once each, and what the next check must read.
import { ETH } from "../helpers";
import { Credit, escrowOf, type JobModel } from "../marketModel";

/** The model's side of the market over one sequence. */
export class Ghost {
  jobs: JobModel[] = [];
  /** `${asset}:${account}` → releasable amount. */
  credits = new Map<string, bigint>();
  /** Per asset: paid in minus released. */
  held = new Map<string, bigint>();
  /** Rewards, aggregation fees, settlements, burns and stake returns booked so far, each at most once. */
  creditKeys = new Set<string>();
  /** `${jobId}:${round}:${phase}` → members the fuzz lets miss that phase of the round (they never act in it). */
  skips = new Map<string, Set<number>>();
  /** `${jobId}:${member}` → that member's last full submission. */
  lastVectors = new Map<string, Uint8Array>();
  /** Job → the round and phase the last check read. */
  seen = new Map<bigint, { round: number; phase: bigint }>();
  /** Jobs read back settled (immutable from then on). */
  settled = new Set<bigint>();
  /** Accounts credited or paid by this step. */
  touched = new Set<string>();
  /** Roster indices whose commitment views the next check compares. */
  deep: number[] = [];
  /** Jobs whose absent members or aggregation fees this step may have moved (read by the next check). */
  moved = new Set<bigint>();
  /** The next check compares the acted job's round views whatever the step (a round opened, or a dispute
   * convicted). */
  viewsDue = false;

  constructor(readonly tokenAddress: string) {
    this.held.set(ETH, 0n);
    this.held.set(tokenAddress, 0n);
  }

  /** The jobs not yet completed or cancelled. */
  live(): JobModel[] {
    return this.jobs.filter((j) => !j.closed);
  }

  /** What `account` may release in `asset`. */
  creditOf(asset: string, account: string): bigint {
    return this.credits.get(`${asset}:${account}`) ?? 0n;
  }

  /** Adds `amount` to what `account` may release in `asset`. */
  credit(asset: string, account: string, amount: bigint) {
    this.credits.set(`${asset}:${account}`, this.creditOf(asset, account) + amount);
  }

  /** Records that the market received (or, negative, sent) `amount` of `asset`. */
  hold(asset: string, amount: bigint) {
    this.held.set(asset, this.held.get(asset)! + amount);
  }

  /** The once-only key of a credit of `kind` in round `round` of `job`; an aggregation fee is once per
   * transaction of the round (`tag`: its chunk, or the finalization). */
  creditKey(job: JobModel, round: number, account: string, kind: bigint, tag = ""): string {
    if (kind === Credit.Reward) return `reward:${job.id}:${round}:${account}`;
    if (kind === Credit.AggregationFee) return `fee:${job.id}:${round}:${tag}`;
    if (kind === Credit.OwnerSettlement) return `owner:${job.id}`;
    if (kind === Credit.Burn) return `burn:${job.id}`;
    if (kind === Credit.HeldReward) return `held:${job.id}:${account}`;
    return `stake:${job.id}:${account}`;
  }

  /** The members the fuzz lets miss phase `phase` of the job's current round. */
  skipsOf(job: JobModel, phase: bigint): Set<number> {
    const key = `${job.id}:${job.round!.index}:${phase}`;
    let set = this.skips.get(key);
    if (!set) this.skips.set(key, (set = new Set()));
    return set;
  }

  /** The escrow of the books of every job in `asset`. */
  escrow(asset: string): bigint {
    return this.jobs.filter((j) => j.p.token === asset).reduce((sum, j) => sum + escrowOf(j.books, j.closed), 0n);
  }

  /** Every releasable credit in `asset`. */
  owed(asset: string): bigint {
    return [...this.credits].filter(([k]) => k.startsWith(`${asset}:`)).reduce((sum, [, v]) => sum + v, 0n);
  }

  /** The accounts with a credit, as [asset, account]. */
  owing(): string[][] {
    return [...this.credits].filter(([, v]) => v > 0n).map(([k]) => k.split(":"));
  }
}
