// Sending transactions and splitting byte strings into transaction-sized pieces.
import type { ContractTransactionResponse } from "ethers";
import { ChainCallError } from "../errors/chain";
import { chainCall } from "./wrap";

/** Calldata bytes one data-carrying transaction may hold: ~10.5M gas at the EIP-7623 floor, well under the 16,777,216 cap. */
export const MAX_TX_DATA_BYTES = 256 * 1024;

/** What a mined transaction cost. */
export interface TxCost {
  hash: string;
  gasUsed: bigint;
  blockNumber: number;
}

/** The EIP-7825 cap on one transaction's gas (enforced from the osaka hardfork on). */
export const TX_GAS_CAP = 16_777_216n;

/** Overrides a transaction may be sent with. */
export type TxOverrides = { gasLimit?: bigint; value?: bigint };

/**
 * Sends a contract transaction, waits for it to be mined and returns its cost; reverts become
 * ContractRevertError. Hardhat's gas estimator overshoots heavy library calls (about 3× the gas used) and
 * then refuses them as above the cap — in process with that message, over JSON-RPC as a revert without
 * data. In both cases the transaction is sent once more with the cap as its limit: it then succeeds if it
 * truly fits, and fails on-chain if it does not. Reverts that carry data (custom errors) are not retried.
 * An estimate is made against the chain as it is before the transaction lands; when others' transactions
 * land first, the call can need more (the join that fills the roster, or the commit that ends the commit
 * phase, opens the next phase too). A transaction that ran out of gas on-chain changed nothing but its
 * sender's nonce and fees, so it is sent again, at most twice, with twice the limit (up to the cap). A
 * node that mines as it answers may report the failure when the transaction is sent (an automining
 * `hardhat node` does), without the limit it had: then the retry carries the cap.
 */
export async function send(action: string, tx: (overrides: TxOverrides) => Promise<ContractTransactionResponse>): Promise<TxCost> {
  return chainCall(action, async () => {
    let limit: bigint | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await tx(limit === undefined ? {} : { gasLimit: limit }).catch((error: unknown) => {
          if (!estimateRefused(error)) throw error;
          return tx({ gasLimit: TX_GAS_CAP });
        });
        limit = response.gasLimit;
        const receipt = await response.wait();
        if (!receipt) throw new ChainCallError(action, `no receipt for ${response.hash}`, undefined);
        return { hash: receipt.hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
      } catch (error) {
        const next = largerLimitAfterOutOfGas(error, limit);
        if (attempt >= OUT_OF_GAS_RETRIES || next === null) throw error;
        limit = next;
      }
    }
  });
}

/** How often a transaction that ran out of gas is sent again with a larger limit. */
const OUT_OF_GAS_RETRIES = 2;

/**
 * When `error` says a mined transaction ran out of gas below the cap, the limit to send it with next:
 * twice its limit (the cap when the node did not say which limit it had, or when twice is above it);
 * otherwise null. Out of gas inside a library call leaves the caller 1/64 of the gas, with which it
 * reverts without data: a failed receipt that used at least 63/64 of its limit and carries no revert data
 * is read as out of gas.
 */
function largerLimitAfterOutOfGas(error: unknown, gasLimit: bigint | undefined): bigint | null {
  const e = error as { code?: string; receipt?: { gasUsed: bigint; status: number | null } | null; data?: string | null; message?: string };
  if (e?.code === "CALL_EXCEPTION" && e.receipt && e.receipt.status === 0 && gasLimit !== undefined) {
    const noData = !e.data || e.data === "0x";
    if (!noData || e.receipt.gasUsed * 64n < gasLimit * 63n || gasLimit >= TX_GAS_CAP) return null;
    return gasLimit * 2n < TX_GAS_CAP ? gasLimit * 2n : TX_GAS_CAP;
  }
  // A hardhat node answers eth_sendRawTransaction of a transaction that it mined and that failed with an error.
  return /run out of gas/.test(String(e?.message)) && gasLimit !== TX_GAS_CAP ? TX_GAS_CAP : null;
}

/** Whether gas estimation failed without a decodable reason (cap exceeded, or a revert without data). */
function estimateRefused(error: unknown): boolean {
  const e = error as { code?: string; revert?: unknown; data?: string; message?: string };
  if (/greater than the cap/.test(String(e?.message))) return true;
  return e?.code === "CALL_EXCEPTION" && !e.revert && (e.data === null || e.data === undefined || e.data === "0x");
}

/** Splits `count` items of `itemBytes` each into consecutive runs whose bytes fit one transaction. */
export function batches(count: number, itemBytes: number, maxBytes = MAX_TX_DATA_BYTES): { first: number; count: number }[] {
  const perBatch = Math.max(1, Math.floor(maxBytes / itemBytes));
  const runs: { first: number; count: number }[] = [];
  for (let first = 0; first < count; first += perBatch) runs.push({ first, count: Math.min(perBatch, count - first) });
  return runs;
}
