// Option parsers shared by the CLI commands: each rejects a bad value with a message naming it.
import { InvalidArgumentError } from "commander";
import { isAddress } from "ethers";

/** A non-negative safe integer. */
export function integerOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

/** A finite number. */
export function numberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("must be a finite number");
  return n;
}

/** A non-negative integer amount as bigint (wei, ids). */
export function bigintOption(value: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("must be a non-negative integer");
  return BigInt(value.trim());
}

/** An Ethereum address. */
export function addressOption(value: string): string {
  if (!isAddress(value)) throw new InvalidArgumentError("must be a 0x-prefixed 20-byte address");
  return value;
}
