// Data owner, submit phase: settle each pair whose two commitments differ by publishing the pair's ECDH
// point with a DLEQ proof (docs/PROTOCOL.md "Proving a pair seed"); the contract convicts whichever member
// committed a false seed and voids its group for the round, so no reveal ever exposes an honest member.
import type { Provider } from "ethers";
import { dleqContext, proveSharedPoint, publicKeyOf } from "../../protocol";
import { hasBit, type RoundState } from "../roundState";
import { send, type TxCost } from "../txs";
import { groupOf, rosterKey, type Member } from "./member";

/** The group peers, not yet convicted, whose commitment for their pair with this member differs from its own. */
export async function mismatchedPeers(member: Member, state: RoundState): Promise<number[]> {
  const { market, jobId, index } = member;
  if (!hasBit(state.committed, index)) return [];
  const group = groupOf(
    state.groups.map((g) => g.members),
    index,
  );
  const peers = group.filter((p) => p !== index && hasBit(state.committed, p) && !hasBit(state.convicted, p));
  const differs = await Promise.all(peers.map(async (peer) => (await market.commitment(jobId, index, peer)) !== (await market.commitment(jobId, peer, index))));
  return peers.filter((_, k) => differs[k]);
}

/** Disputes every mismatched pair of this member in the current round; returns the costs (none when all pairs agree). */
export async function disputeCommitments(member: Member, state: RoundState): Promise<TxCost[]> {
  const { market, jobId, secretKey } = member;
  const peers = await mismatchedPeers(member, state);
  if (peers.length === 0) return [];
  const { chainId } = await (market.runner!.provider as Provider).getNetwork();
  const context = dleqContext(chainId, String(market.target), jobId);
  const own = await publicKeyOf(secretKey);
  const txs: TxCost[] = [];
  for (const peer of peers) {
    const proof = await proveSharedPoint(secretKey, own, await rosterKey(market, jobId, peer), context);
    txs.push(
      await send("disputeCommitment", (o) =>
        market.disputeCommitment(
          jobId,
          state.round,
          peer,
          [proof.shared[0], proof.shared[1]],
          [proof.r1[0], proof.r1[1]],
          [proof.r2[0], proof.r2[1]],
          proof.s,
          o,
        ),
      ),
    );
  }
  return txs;
}
