// Typed access to a deployed OmniMarket from any ethers runner (signer or provider).
import { Contract, type BigNumberish, type ContractRunner } from "ethers";
import path from "path";
import { z } from "zod";
import { readJsonFile } from "../infra/json";
import type { OmniMarket } from "../../typechain-types";

export type { OmniMarket };

/** Phases as numbered by the contract's `Phase` enum. */
export const Phase = {
  Publishing: 0,
  Joining: 1,
  Commit: 2,
  Submit: 3,
  Reveal: 4,
  Aggregate: 5,
  Completed: 6,
  Cancelled: 7,
} as const;
export type PhaseName = keyof typeof Phase;

/** Credit reasons as numbered by the contract's `CreditKind` enum. */
export const CreditKind = { Reward: 0, OwnerSettlement: 1, StakeReturn: 2, AggregationFee: 3, Burn: 4, HeldReward: 5 } as const;

/** Robust rules as numbered by the contract's `Rule` enum. */
export const Rule = { Median: 0, TrimmedMean: 1, GeometricMedian: 2, MultiKrum: 3 } as const;

/** A job's rule by the name the CLI and docs use. */
export type JobRuleName = "median" | "trimmed-mean" | "geomedian" | "multi-krum";
const RULE_NAMES: readonly JobRuleName[] = ["median", "trimmed-mean", "geomedian", "multi-krum"];

/** The contract's `Rule` number of a rule name. */
export function ruleCode(name: JobRuleName): number {
  return RULE_NAMES.indexOf(name);
}

/** The name of the contract's `Rule` number, or undefined for a number this client does not know. */
export function ruleName(code: BigNumberish): JobRuleName | undefined {
  return RULE_NAMES[Number(code)];
}

/** Slash reasons as numbered by the contract's `SlashReason` enum. */
export const SlashReason = { MissedSubmission: 0, MissedReveal: 1, ContradictedSeed: 2, FalseCommitment: 3, MissedCommit: 4, Convicted: 5 } as const;

/** Why a round settled without an aggregate, as numbered by the contract's `VoidReason` enum. */
export const VoidReason = { TooFewEligibleGroups: 0, AggregationExpired: 1 } as const;

/** The phase name for the contract's enum value. */
export function phaseName(value: bigint | number): PhaseName {
  const name = (Object.keys(Phase) as PhaseName[]).find((key) => Phase[key] === Number(value));
  if (!name) throw new RangeError(`unknown phase ${value}`);
  return name;
}

let cachedAbi: unknown[] | undefined;

/** The part of a compiled artifact the market handle needs. */
const artifactSchema = z.object({ abi: z.array(z.unknown()) });

/** The market ABI from the compiled artifact (run `npx hardhat compile` first). */
export function marketAbi(): unknown[] {
  if (!cachedAbi) {
    const file = path.join(__dirname, "..", "..", "artifacts", "contracts", "OmniMarket.sol", "OmniMarket.json");
    cachedAbi = readJsonFile(file, artifactSchema, "market artifact").abi;
  }
  return cachedAbi;
}

/** An OmniMarket handle at `address` talking through `runner`. */
export function marketAt(address: string, runner: ContractRunner): OmniMarket {
  return new Contract(address, marketAbi() as never, runner) as unknown as OmniMarket;
}
