// A data owner's identity in one job: the market it signs with, its roster index and its key,
// and the pair seeds it shares with its group peers in a round.
import type { Provider } from "ethers";
import { ecdhSharedX, pairSeed, type Bytes32, type PublicKey, type RoundContext } from "../../protocol";
import type { OmniMarket } from "../market";

/** Who a data owner is in a job. */
export interface Member {
  market: OmniMarket;
  jobId: bigint;
  index: number;
  secretKey: bigint;
  /** When given, ECDH shared x coordinates by peer index, filled on first use, so that each peer's curve
   * multiplications are done once per job rather than in every phase (the roster's keys never change). */
  sharedX?: Map<number, bigint>;
}

/** The round context (chain, market, job, round) that domain-separates seeds and commitments. */
export async function roundContext(market: OmniMarket, jobId: bigint, round: number): Promise<RoundContext> {
  const { chainId } = await (market.runner!.provider as Provider).getNetwork();
  return { chainId, market: await market.getAddress(), jobId, round: BigInt(round) };
}

/** The roster's public key of member `index`. */
export async function rosterKey(market: OmniMarket, jobId: bigint, index: number): Promise<PublicKey> {
  const { pkX, pkY } = await market.member(jobId, index);
  return [pkX, pkY];
}

/** The pair seeds this member shares with each of `peers` in `round`, in the order given. */
export async function pairSeeds(member: Member, round: number, peers: readonly number[]): Promise<Bytes32[]> {
  const ctx = await roundContext(member.market, member.jobId, round);
  return Promise.all(
    peers.map(async (peer) => {
      let x = member.sharedX?.get(peer);
      if (x === undefined) {
        x = await ecdhSharedX(member.secretKey, await rosterKey(member.market, member.jobId, peer));
        member.sharedX?.set(peer, x);
      }
      return pairSeed(x, ctx, Math.min(member.index, peer), Math.max(member.index, peer));
    }),
  );
}

/** The member's group in the round: the group list that contains it. */
export function groupOf(groups: readonly (readonly number[])[], index: number): readonly number[] {
  const group = groups.find((g) => g.includes(index));
  if (!group) throw new RangeError(`member ${index} is in no group of this round`);
  return group;
}
