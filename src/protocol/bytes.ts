// Conversions between 0x-hex strings and bytes, shared by the protocol actions.
import { getBytes, hexlify, isHexString } from "ethers";
import { InvalidInputError } from "../errors";

/** A 0x-prefixed 32-byte hex string (a Solidity bytes32). */
export type Bytes32 = string;

/** Parses a bytes32 given as hex or bytes, naming `field` in the error when it is not 32 bytes. */
export function toBytes32(value: Bytes32 | Uint8Array, field: string): Uint8Array {
  if (typeof value === "string") {
    if (!isHexString(value, 32)) throw new InvalidInputError(field, `must be 0x followed by 64 hex digits, got ${value}`);
    return getBytes(value);
  }
  if (value.length !== 32) throw new InvalidInputError(field, `must be 32 bytes, got ${value.length}`);
  return value;
}

/** Formats 32 bytes as a lowercase 0x-hex bytes32. */
export function fromBytes32(bytes: Uint8Array): Bytes32 {
  return hexlify(bytes);
}
