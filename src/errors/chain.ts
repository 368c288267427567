// Errors met at the chain boundary: reverts decoded to the contract's custom error, RPC failures, a node on
// the wrong chain or without the market, chain data that does not match its on-chain hash, a chain clock behind
// a deadline that has passed.
import { BaseError } from "./base";

/** A contract call reverted; `errorName` is the decoded custom error when the ABI knows it. */
export class ContractRevertError extends BaseError {
  override name = "ContractRevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(action: string, errorName: string, args: readonly unknown[], cause: unknown) {
    super(`${action} reverted: ${errorName}(${args.map(String).join(", ")})`, {
      details: { action, errorName, args: args.map(String) },
      cause,
    });
    this.errorName = errorName;
    this.args = args;
  }
}

/** The chain could not be reached or answered with something other than a revert. */
export class ChainRequestError extends BaseError {
  override name = "ChainRequestError";

  constructor(action: string, problem: string, cause: unknown) {
    super(`${action} failed: ${problem}`, { details: { action }, cause });
  }
}

/** A chain call failed for a reason that retrying will not fix (bad transaction, nonce, gas cap, ...). */
export class ChainCallError extends BaseError {
  override name = "ChainCallError";

  constructor(action: string, problem: string, cause: unknown) {
    super(`${action} failed: ${problem}`, { details: { action }, cause });
  }
}

/** Chain data does not match the hash the contract stored. */
export class HashChainMismatchError extends BaseError {
  override name = "HashChainMismatchError";

  constructor(what: string, expected: string, computed: string) {
    super(`${what} does not match its on-chain hash chain`, { details: { expected, computed } });
  }
}

/** The node answers for another chain than the one the market is recorded on. */
export class WrongChainError extends BaseError {
  override name = "WrongChainError";

  constructor(url: string, nodeChainId: bigint, marketChainId: bigint) {
    super(`wrong chain: ${url} is chain ${nodeChainId}, but the market is recorded on chain ${marketChainId}`, {
      details: { url, nodeChainId: nodeChainId.toString(), marketChainId: marketChainId.toString() },
    });
  }
}

/** No contract is deployed at the market address on the node's chain. */
export class NoContractError extends BaseError {
  override name = "NoContractError";

  constructor(address: string, chainId: bigint) {
    super(`no contract at ${address} on chain ${chainId}`, { details: { address, chainId: chainId.toString() } });
  }
}

/** A deadline has passed in wall time, but the chain's latest block is not past it: calls still see the phase it ends. */
export class ChainClockBehindError extends BaseError {
  override name = "ChainClockBehindError";

  constructor(action: string, what: string, deadline: number, block: { blockNumber: number; timestamp: number }, nowSeconds: number) {
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    super(
      `${action}: the chain's clock (last block ${block.blockNumber} at ${iso(block.timestamp)}) has not reached the ${what} ${iso(deadline)}, ` +
        `which passed ${Math.round(nowSeconds - deadline)} s ago by this machine's clock; the chain sees it once its next block is mined: try again then`,
      { details: { action, deadline, blockNumber: block.blockNumber, blockTimestamp: block.timestamp } },
    );
  }
}
