// Typed access to a deployed OmniMarket from any ethers runner (signer or provider).
import { Contract, type ContractRunner } from "ethers";
import { readFileSync } from "fs";
import path from "path";
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
export const CreditKind = { Reward: 0, OwnerSettlement: 1, StakeReturn: 2 } as const;

/** The phase name for the contract's enum value. */
export function phaseName(value: bigint | number): PhaseName {
  const name = (Object.keys(Phase) as PhaseName[]).find((key) => Phase[key] === Number(value));
  if (!name) throw new RangeError(`unknown phase ${value}`);
  return name;
}

let cachedAbi: unknown[] | undefined;

/** The market ABI from the compiled artifact (run `npx hardhat compile` first). */
export function marketAbi(): unknown[] {
  if (!cachedAbi) {
    const file = path.join(__dirname, "..", "..", "artifacts", "contracts", "OmniMarket.sol", "OmniMarket.json");
    cachedAbi = (JSON.parse(readFileSync(file, "utf8")) as { abi: unknown[] }).abi;
  }
  return cachedAbi;
}

/** An OmniMarket handle at `address` talking through `runner`. */
export function marketAt(address: string, runner: ContractRunner): OmniMarket {
  return new Contract(address, marketAbi() as never, runner) as unknown as OmniMarket;
}
