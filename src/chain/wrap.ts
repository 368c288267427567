// The one place where raw RPC and revert errors are turned into the project's errors.
import { BaseError } from "../errors";
import { ChainCallError, ContractRevertError, ChainRequestError } from "../errors/chain";

interface EthersError {
  code?: string;
  error?: { message?: string };
  revert?: { name: string; args: readonly unknown[] } | null;
  shortMessage?: string;
  message?: string;
}

/** ethers error codes that mean the node was not reached or did not answer: worth retrying. */
const UNREACHABLE = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "UNKNOWN_ERROR"]);

/**
 * Runs a chain call. A revert becomes ContractRevertError (decoded to the contract's custom error when
 * the ABI knows it), a node that cannot be reached becomes ChainRequestError (worth retrying), any other
 * failure of the call ChainCallError; the project's own errors pass through.
 */
export async function chainCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as EthersError;
    if (e?.revert?.name) throw new ContractRevertError(action, e.revert.name, e.revert.args, error);
    if (e?.code === "CALL_EXCEPTION") throw new ContractRevertError(action, "UnknownRevert", [e.shortMessage ?? ""], error);
    if (e?.code && UNREACHABLE.has(e.code)) {
      // UNKNOWN_ERROR wraps a JSON-RPC error ethers could not classify: name the node's own words.
      throw new ChainRequestError(action, [e.shortMessage ?? e.code, e.error?.message].filter(Boolean).join(": "), error);
    }
    if (/ECONNREFUSED|ECONNRESET|socket hang up|fetch failed/i.test(String(e?.message))) {
      throw new ChainRequestError(action, e.message ?? String(error), error);
    }
    if (error instanceof BaseError) throw error;
    throw new ChainCallError(action, e?.shortMessage ?? e?.message ?? String(error), error);
  }
}
