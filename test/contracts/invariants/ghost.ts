// The ghost accounting of one call sequence: the model of every job, what each account may release, what the
// market holds per asset, the credits booked once each, and what the next check must read.
import { ETH } from "../helpers";
import { escrowOf, type JobModel } from "../marketModel";

/** The model's side of the market over one sequence. */
export class Ghost {
  jobs: JobModel[] = [];
  /** `${asset}:${account}` → releasable amount. */
  credits = new Map<string, bigint>();
  /** Per asset: paid in minus released. */
  held = new Map<string, bigint>();
  /** Rewards, settlements and stake returns booked so far, each at most once. */
  creditKeys = new Set<string>();
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

  /** The once-only key of a credit of `kind` (0 reward, 1 settlement, 2 stake) in round `round` of `job`. */
  creditKey(job: JobModel, round: number, account: string, kind: bigint): string {
    return kind === 0n ? `reward:${job.id}:${round}:${account}` : kind === 1n ? `owner:${job.id}` : `stake:${job.id}:${account}`;
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
