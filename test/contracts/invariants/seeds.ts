// The secrets of the fuzz's members: round contexts, pair seeds from the actors' keys (ECDH shared points
// cached across runs), group peers, and honest masked vectors built from them.
import { ecdhSharedX, maskVector, packWords, pairSeed, type RoundContext } from "../../../src/protocol";
import { keyPair } from "../helpers";
import { groupOf, type JobModel } from "../marketModel";
import { honestUpdate } from "./arbitraries";
import type { Fixture } from "./fixture";

const sharedX = new Map<string, bigint>();

/** The context of `round` of `job` on the fuzz's market, with any field replaced by `over` (a replay). */
export function contextOf(f: Fixture, job: JobModel, round: number, over: Partial<RoundContext> = {}): RoundContext {
  return { chainId: f.chainId, market: f.address, jobId: job.id, round: BigInt(round), ...over };
}

/** The pair seed of roster indices i and j for `round` (actor a acts with key 100 + a). */
export async function pairSeedOf(f: Fixture, job: JobModel, round: number, i: number, j: number, over: Partial<RoundContext> = {}): Promise<string> {
  const [lo, hi] = i < j ? [i, j] : [j, i];
  const [a, b] = [job.roster[lo], job.roster[hi]];
  const key = `${a}:${b}`;
  let x = sharedX.get(key);
  if (x === undefined) {
    x = await ecdhSharedX((await keyPair(100 + a)).secretKey, (await keyPair(100 + b)).publicKey);
    sharedX.set(key, x);
  }
  return pairSeed(x, contextOf(f, job, round, over), lo, hi);
}

/** The other members of i's group in the current round, ascending. */
export function peersOf(job: JobModel, i: number): number[] {
  return groupOf(job.round!, i)!.filter((j) => j !== i);
}

/** Member i's honest update of the current round, masked with the seeds of its active pairs, packed. */
export async function maskedOf(f: Fixture, job: JobModel, i: number, seed: number): Promise<Uint8Array> {
  const rd = job.round!;
  const peers = [];
  for (const j of rd.active.get(i) ?? []) peers.push({ index: j, seed: await pairSeedOf(f, job, rd.index, i, j) });
  return packWords(await maskVector(honestUpdate(job.p.paramCount, rd.index, seed), i, peers));
}
