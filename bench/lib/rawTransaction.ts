// EIP-1559 transactions serialized with Node's Buffer instead of ethers' hex-string RLP. A benchmark driver
// that posts hundreds of megabytes of calldata spent most of its CPU in ethers' serialization (RLP of the
// data as hex strings, the data hashed three times, a full parse of the signed bytes on broadcast) and in
// the garbage collection that causes: profiled during the 1M-parameter × 100-DO round, 70% of the driver's
// time against 2% for the node. The bytes are those ethers would produce (test/bench/rawTransaction.test.ts);
// only the client-side work differs, so the node executes exactly the same transactions.
import { keccak256, type Signature, type SigningKey } from "ethers";

/** The fields of a type-2 (EIP-1559) transaction without an access list. */
export interface Eip1559Fields {
  chainId: bigint;
  nonce: number;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  gasLimit: bigint;
  to: string;
  value: bigint;
  /** Calldata as 0x-prefixed hex. */
  data: string;
}

/** A signed transaction: its serialized bytes (0x hex) and the signature. */
export interface SignedRawTransaction {
  serialized: string;
  signature: Signature;
}

/** Minimal big-endian bytes of a non-negative integer (zero is the empty string, as RLP wants). */
function integerBytes(value: bigint): Buffer {
  if (value < 0n) throw new RangeError(`RLP integers are non-negative, got ${value}`);
  if (value === 0n) return Buffer.alloc(0);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  return Buffer.from(hex, "hex");
}

/** An RLP length prefix: `offset` + length for short payloads, else `offset` + 55 + length-of-length. */
function lengthPrefix(length: number, offset: number): Buffer {
  if (length <= 55) return Buffer.from([offset + length]);
  const len = integerBytes(BigInt(length));
  return Buffer.concat([Buffer.from([offset + 55 + len.length]), len]);
}

/** RLP of one byte string. */
function rlpBytes(bytes: Buffer): Buffer {
  if (bytes.length === 1 && bytes[0] < 0x80) return bytes;
  return Buffer.concat([lengthPrefix(bytes.length, 0x80), bytes]);
}

/** RLP of a list of already encoded items. */
function rlpList(items: readonly Buffer[]): Buffer {
  const payload = Buffer.concat(items);
  return Buffer.concat([lengthPrefix(payload.length, 0xc0), payload]);
}

const hexBytes = (hex: string): Buffer => Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex");

/** The RLP items every type-2 transaction starts with (the access list is empty). */
function unsignedItems(tx: Eip1559Fields): Buffer[] {
  return [
    rlpBytes(integerBytes(tx.chainId)),
    rlpBytes(integerBytes(BigInt(tx.nonce))),
    rlpBytes(integerBytes(tx.maxPriorityFeePerGas)),
    rlpBytes(integerBytes(tx.maxFeePerGas)),
    rlpBytes(integerBytes(tx.gasLimit)),
    rlpBytes(hexBytes(tx.to)),
    rlpBytes(integerBytes(tx.value)),
    rlpBytes(hexBytes(tx.data)),
    rlpList([]),
  ];
}

const TYPE_2 = Buffer.from([0x02]);

/** Signs `tx` with `key`: keccak256 of 0x02 ‖ rlp(fields) is signed, the signed form appends yParity, r, s. */
export function signEip1559(tx: Eip1559Fields, key: SigningKey): SignedRawTransaction {
  const items = unsignedItems(tx);
  const signature = key.sign(keccak256(Buffer.concat([TYPE_2, rlpList(items)])));
  const signed = Buffer.concat([
    TYPE_2,
    rlpList([
      ...items,
      rlpBytes(integerBytes(BigInt(signature.yParity))),
      rlpBytes(integerBytes(BigInt(signature.r))),
      rlpBytes(integerBytes(BigInt(signature.s))),
    ]),
  ]);
  return { serialized: "0x" + signed.toString("hex"), signature };
}
