// Errors about the account that signs: its key cannot be loaded, or it cannot pay for what it is about to do.
import { BaseError } from "./base";

/** The account's key could not be loaded; the message says why, never the key. */
export class KeyLoadError extends BaseError {
  override name = "KeyLoadError";
}

/** The account cannot pay for what it is about to do. */
export class InsufficientFundsError extends BaseError {
  override name = "InsufficientFundsError";

  constructor(what: string, unit: string, needed: bigint, balance: bigint) {
    super(`insufficient funds: ${what} needs ${needed} ${unit}, the account holds ${balance} (short by ${needed - balance} ${unit})`, {
      details: { needed: needed.toString(), balance: balance.toString() },
    });
  }
}
