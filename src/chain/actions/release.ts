// Anyone: send an account everything credited to it in a token (address(0) for ETH).
import type { OmniMarket } from "../market";
import { send, type TxCost } from "../txs";

/** Releases `account`'s credit in `token`; returns the amount and the cost, or null when nothing is due. */
export async function release(market: OmniMarket, token: string, account: string): Promise<{ amount: bigint; tx: TxCost } | null> {
  const amount = await market.releasable(token, account);
  if (amount === 0n) return null;
  return { amount, tx: await send("release", (o) => market.release(token, account, o)) };
}
