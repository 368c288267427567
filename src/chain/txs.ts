// Sending transactions and splitting byte strings into transaction-sized pieces.
import type { ContractTransactionResponse } from "ethers";
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
 */
export async function send(action: string, tx: (overrides: TxOverrides) => Promise<ContractTransactionResponse>): Promise<TxCost> {
  return chainCall(action, async () => {
    const response = await tx({}).catch((error: unknown) => {
      if (!estimateRefused(error)) throw error;
      return tx({ gasLimit: TX_GAS_CAP });
    });
    const receipt = await response.wait();
    if (!receipt) throw new Error(`${action}: no receipt for ${response.hash}`);
    return { hash: receipt.hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
  });
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
