// Errors met at the chain boundary: reverts decoded to the contract's custom error, RPC failures.
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
