// Group assignment of a round's members (docs/PROTOCOL.md "Group assignment").
import { AbiCoder, keccak256 } from "ethers";
import { InvalidInputError } from "../errors";
import { toBytes32, type Bytes32 } from "./bytes";

const abi = AbiCoder.defaultAbiCoder();

/** The round's randomness: keccak256(abi.encode(blockhash(drawBlock), market, jobId, r)). */
export function roundRandomness(drawBlockHash: Bytes32, market: string, jobId: bigint, round: bigint): Bytes32 {
  toBytes32(drawBlockHash, "drawBlockHash");
  return keccak256(abi.encode(["bytes32", "address", "uint256", "uint256"], [drawBlockHash, market, jobId, round]));
}

/**
 * Splits the active roster indices into m = a / g groups: Fisher–Yates with
 * j = keccak256(abi.encode(randomness, i)) % (i + 1) for i = a − 1 … 1, position p → group p % m,
 * each group sorted ascending.
 */
export function assignGroups(randomness: Bytes32, active: readonly number[], groupSize: number): number[][] {
  toBytes32(randomness, "randomness");
  if (!Number.isSafeInteger(groupSize) || groupSize < 1) throw new InvalidInputError("groupSize", `must be a positive integer, got ${groupSize}`);
  for (let k = 0; k < active.length; k++) {
    if (!Number.isSafeInteger(active[k]) || active[k] < 0) throw new InvalidInputError(`active[${k}]`, `must be a roster index, got ${active[k]}`);
    if (k > 0 && active[k] <= active[k - 1]) throw new InvalidInputError("active", "must be strictly ascending");
  }
  const a = active.length;
  const m = Math.floor(a / groupSize);
  if (m < 1) throw new InvalidInputError("active", `has ${a} members, fewer than groupSize ${groupSize}`);
  const perm = [...active];
  for (let i = a - 1; i >= 1; i--) {
    const j = Number(BigInt(keccak256(abi.encode(["bytes32", "uint256"], [randomness, i]))) % BigInt(i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const groups: number[][] = Array.from({ length: m }, () => []);
  perm.forEach((member, p) => groups[p % m].push(member));
  return groups.map((g) => g.sort((x, y) => x - y));
}
