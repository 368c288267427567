// The one place where raw RPC and revert errors are turned into the project's errors.
import { Interface } from "ethers";
import { BaseError } from "../errors";
import { marketAbi } from "./market";
import { ChainCallError, ContractRevertError, ChainRequestError } from "../errors/chain";

interface EthersError {
  code?: string;
  data?: string;
  error?: { message?: string; data?: { data?: string; message?: string; txHash?: string } };
  revert?: { name: string; args: readonly unknown[] } | null;
  shortMessage?: string;
  message?: string;
}

let cachedInterface: Interface | undefined;

/** The market's custom error encoded in revert data, or null when the data is not one of them. */
function decodeRevert(data: string): { name: string; args: unknown[] } | null {
  cachedInterface ??= new Interface(marketAbi() as never);
  try {
    const parsed = cachedInterface.parseError(data);
    return parsed && { name: parsed.name, args: [...parsed.args] };
  } catch {
    return null; // not ABI-encoded error data
  }
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
    if (e?.code === "CALL_EXCEPTION") {
      // Over JSON-RPC a failed estimate carries the revert data undecoded: decode it with the market's ABI.
      const decoded = e.data && e.data !== "0x" ? decodeRevert(e.data) : null;
      if (decoded) throw new ContractRevertError(action, decoded.name, decoded.args, error);
      throw new ContractRevertError(action, "UnknownRevert", [e.shortMessage ?? ""], error);
    }
    // A hardhat node answers the sending of a transaction that it mined and that reverted with an error
    // naming the mined transaction: a revert, not an unreachable node.
    const mined = e?.error?.data;
    if (mined?.txHash) {
      const decoded = mined.data && mined.data !== "0x" ? decodeRevert(mined.data) : null;
      if (decoded) throw new ContractRevertError(action, decoded.name, decoded.args, error);
      throw new ContractRevertError(action, "UnknownRevert", [mined.message ?? e.error?.message ?? ""], error);
    }
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
