// The fuzz's calls that close a round — aggregateChunk and finalizeRound — checked against the TypeScript
// aggregate of src/protocol and the model's rewards, aggregation fees, slashes and forfeits, void rounds,
// next round and settlement.
import { ethers } from "hardhat";
import { ZeroHash, concat, getBytes } from "ethers";
import { chunkBytes, extendHashChain, hashChainOfChunks, normSlack, packWords, recordRound, roundAggregate, unpackWords } from "../../../src/protocol";
import { Phase } from "../helpers";
import {
  Credit,
  OK,
  Slash,
  Void,
  aggregationSlices,
  countedGroups,
  eligibleGroups,
  expectedSlashes,
  fails,
  finalization,
  minEligible,
  opensNextRound,
  phaseAt,
  settlement,
  targets,
  type Expectation,
  type JobModel,
} from "../marketModel";
import type { FaultOf } from "./arbitraries";
import { bitsOf, creditedOnceAsPredicted, same, type ExpectedCredit } from "./checks";
import type { Run } from "./fixture";
import { openRound } from "./roundActions";

/** Whether two byte strings are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** aggregateChunk of the round's next chunk: the eligible submitters' slices of it, in the contract's order. */
export async function aggregate(run: Run, job: JobModel | undefined, jobId: bigint, caller: number, fault: FaultOf<"aggregate">, seed: number) {
  const rd = job?.round;
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  const k = (rd?.chunksAggregated ?? 0) + (fault === "skipsAChunk" ? 1 : 0);
  let data: Uint8Array = new Uint8Array(0);
  let expected: Expectation;
  const ph = job ? phaseAt(job, run.chain.now) : 0n;
  if (!job) expected = fails("MarketUnknownJob", jobId);
  else if (ph !== Phase.Aggregate) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Aggregate);
  else if (round !== rd!.index) expected = fails("MarketWrongRound", jobId, rd!.index, round);
  else if (eligibleGroups(rd!).length < minEligible(job.p))
    expected = fails("MarketTooFewEligibleGroups", jobId, round, eligibleGroups(rd!).length, minEligible(job.p));
  else if (k !== rd!.chunksAggregated || k >= job.K) expected = fails("MarketUnexpectedChunk", jobId, rd!.chunksAggregated, k);
  // Chunk 0 counts every eligible group; the outcome, computed there, says which later chunks leave out.
  else if (countedGroups(rd!, k).length < minEligible(job.p)) {
    expected = fails("MarketTooFewEligibleGroups", jobId, round, countedGroups(rd!, k).length, minEligible(job.p));
  } else {
    await outcomeOf(job);
    const slices = aggregationSlices(rd!, k);
    const parts = slices.map((i) => chunkBytes(rd!.vectors.get(i)!, k, job.C));
    if (fault === "slicesSwapped" && parts.length > 1) [parts[0], parts[1]] = [parts[1], parts[0]];
    data = getBytes(concat(parts));
    if (fault === "lastWordMissing") data = data.subarray(0, data.length - 32);
    if (fault === "flippedByte") data[seed % data.length] ^= 1 + (seed % 255);
    const L = parts[0].length;
    const mismatch = slices.findIndex((i, s) => !sameBytes(data.subarray(s * L, (s + 1) * L), chunkBytes(rd!.vectors.get(i)!, k, job.C)));
    if (data.length !== slices.length * L) expected = fails("MarketInvalidDataLength", jobId, slices.length * L, data.length);
    else if (mismatch >= 0) expected = fails("MarketChunkHashMismatch", jobId, slices[mismatch], k);
    else expected = OK;
  }
  const label = `aggregateChunk job ${jobId} r${round} chunk ${k} by ${caller} ${fault}`;
  const sent = await run.chain.send(label, caller, expected, (m, o) => m.aggregateChunk.populateTransaction(jobId, round, k, data, o));
  if (!sent) return;
  const outcome = await outcomeOf(job!);
  const over = eligibleGroups(rd!).filter((_, q) => outcome.excludedAt[q] === k);
  run.stats.overBound += over.length;
  same(
    run.chain.events(sent.receipt, "GroupsOverBound").map((e) => [e.chunkIndex, e.groups]),
    over.length > 0 ? [[BigInt(k), bitsOf(over)]] : [],
    "GroupsOverBound",
  );
  // The chunk that leaves too few groups within the bound aggregates nothing; finalizeRound voids the round.
  // Under the geometric median the chunk emits the counted groups' means instead of an aggregate.
  const geoMedian = job!.p.rule === 2;
  const computed = run.chain.events(sent.receipt, "AggregateChunkComputed").map((e) => e.words);
  same(computed, k === outcome.voidedAt || geoMedian ? [] : [ethers.hexlify(chunkBytes(packWords(outcome.aggregate), k, job!.C))], "aggregate chunk");
  const means = run.chain.events(sent.receipt, "GroupMeansComputed").map((e) => [e.groups, e.means]);
  same(
    means,
    k === outcome.voidedAt || !geoMedian
      ? []
      : [[bitsOf(eligibleGroups(rd!).filter((_, q) => outcome.excludedAt[q] > k)), ethers.hexlify(meansChunk(outcome, k, job!.C))]],
    "group means",
  );
  rd!.chunksAggregated++;
  run.ghost.moved.add(job!.id);
  creditedOnceAsPredicted(run, sent.receipt, job!, rd!.index, feeTo(run, job!, caller, `chunk ${k}`));
}

/** Geometric median: chunk k of the means of the groups counted in it, group-major, as GroupMeansComputed carries them. */
function meansChunk(outcome: Awaited<ReturnType<typeof outcomeOf>>, k: number, C: number): Uint8Array {
  const counted = outcome.means.filter((_, q) => outcome.excludedAt[q] > k);
  return getBytes(concat(counted.map((m) => chunkBytes(packWords(new Uint32Array(m.buffer, m.byteOffset, m.length)), k, C))));
}

/** The round's hash chain: over the aggregate's chunks, or under the geometric median over the means' chunks. */
function aggregateHashOf(job: JobModel, outcome: Awaited<ReturnType<typeof outcomeOf>>): string {
  if (job.p.rule !== 2) return hashChainOfChunks(packWords(outcome.aggregate), job.C);
  let h: string = ZeroHash;
  for (let k = 0; k < job.K; k++) h = extendHashChain(h, meansChunk(outcome, k, job.C));
  return h;
}

/** The aggregation fee credit of one aggregation transaction sent by `caller` (none when the job has no fee). */
function feeTo(run: Run, job: JobModel, caller: number, tag: string): ExpectedCredit[] {
  const fee = job.p.aggregationFee;
  if (fee === 0n) return [];
  job.books.fees += fee;
  run.stats.fees++;
  return [[run.f.addresses[caller], Credit.AggregationFee, fee, tag]];
}

/** The TypeScript aggregate of the round's eligible groups (computed once per round). */
async function outcomeOf(job: JobModel) {
  const rd = job.round!;
  if (!rd.outcome) {
    const groups = eligibleGroups(rd).map((k) => {
      const subs = rd.groups[k].filter((i) => rd.submitted.has(i));
      return {
        masked: subs.map((i) => unpackWords(rd.vectors.get(i)!, job.W * 8)),
        reveals: subs.flatMap((i) => targets(rd, i).map((j) => ({ submitter: i, dropped: j, seed: rd.seeds.get(`${i}:${j}`)! }))),
      };
    });
    rd.outcome = await roundAggregate({
      groups,
      rule: job.p.rule === 0 ? { rule: "median" } : job.p.rule === 2 ? { rule: "geomedian" } : { rule: "trimmed-mean", trimBps: job.p.trimBps },
      outlierFactorBps: BigInt(job.p.outlierFactorBps),
      minProjectionBps: BigInt(job.p.minProjectionBps),
      bound: { normSlack: normSlack(job.p.clipNormQ, job.p.paramCount), chunkLanes: 8 * job.C, minGroups: minEligible(job.p) },
    });
  }
  return rd.outcome;
}

/** finalizeRound: the round's result (or its voiding), rewards for inlier groups, slashes and missed-commit
 * forfeits, the caller's aggregation fee; then the next round, or the job's settlement (refund to the owner,
 * everything slashed burned, the remaining stakes less forfeits back). */
export async function finalize(run: Run, job: JobModel | undefined, jobId: bigint, caller: number, fault: FaultOf<"finalize">) {
  const rd = job?.round;
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  const eligible = rd ? eligibleGroups(rd) : [];
  let expected: Expectation;
  const ph = job ? phaseAt(job, run.chain.now) : 0n;
  // Under the geometric median an honest finalization that settles with the aggregate certifies it.
  const geoMedian = job?.p.rule === 2;
  const certified = !geoMedian || fault !== "noCertificate";
  const how = job?.round ? finalization(job, run.chain.now, certified) : "incomplete";
  if (!job) expected = fails("MarketUnknownJob", jobId);
  else if (ph !== Phase.Aggregate) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Aggregate);
  else if (round !== rd!.index) expected = fails("MarketWrongRound", jobId, rd!.index, round);
  else if (how === "incomplete") expected = fails("MarketAggregationIncomplete", jobId, round, rd!.chunksAggregated, job.K);
  else if (!certified && how.voided === null) expected = fails("MarketWeightsLength", jobId, countedGroups(rd!, rd!.chunksAggregated).length, 0);
  else expected = OK;
  const weights = geoMedian && certified && how !== "incomplete" && how.voided === null ? (await outcomeOf(job!)).weights! : [];
  const sent = await run.chain.send(`finalizeRound job ${jobId} r${round} by ${caller} ${fault}`, caller, expected, (m, o) =>
    weights.length > 0 ? m.finalizeCertifiedRound.populateTransaction(jobId, round, weights, o) : m.finalizeRound.populateTransaction(jobId, round, o),
  );
  if (geoMedian && !certified && how !== "incomplete" && ph === Phase.Aggregate) run.stats.uncertified++;
  if (!sent || how === "incomplete") return;
  if (weights.length > 0) run.stats.certified++;
  const j = job!;
  const r = rd!;
  const { p } = j;
  run.ghost.moved.add(j.id);
  const account = (i: number) => run.f.addresses[j.roster[i]];
  // Round result: eligible groups, inliers, distances, dots and the aggregate hash from the TypeScript side;
  // a void round has no aggregate, pays nobody and reports only its eligible groups.
  const outcome = how.voided === null ? await outcomeOf(j) : null;
  const inliers = outcome ? eligible.filter((_, q) => outcome.inliers[q]) : [];
  same(
    run.chain.events(sent.receipt, "RoundVoided").map((e) => [e.round, e.reason]),
    how.voided === null ? [] : [[BigInt(r.index), how.voided]],
    "RoundVoided",
  );
  const [fin] = run.chain.events(sent.receipt, "RoundFinalized");
  // Distances and dots are reported for the counted groups only: eligible, never over the norm bound.
  const kept = <T>(values: readonly T[]) => values.filter((_, q) => outcome!.excludedAt[q] === Infinity);
  same(
    [fin.aggregateHash, fin.eligibleGroups, fin.excludedGroups, fin.inlierGroups, [...fin.distances], [...fin.dots], fin.aggNorm],
    [
      outcome ? aggregateHashOf(j, outcome) : ZeroHash,
      bitsOf(eligible),
      bitsOf(eligible.filter((_, q) => r.outcome !== null && r.outcome.excludedAt[q] < r.chunksAggregated)),
      bitsOf(inliers),
      outcome ? kept(outcome.dists) : [],
      outcome ? kept(outcome.dots) : [],
      outcome?.aggNorm ?? 0n,
    ],
    "RoundFinalized",
  );
  const slashes = expectedSlashes(j);
  for (const s of slashes) {
    (s.reason === Slash.MissedCommit ? j.absent : j.slashed).add(s.member);
    j.books.slashed += s.amount;
  }
  // Then the records (src/protocol/blame): inliers paid, the others' pay held, convictions after the slashes.
  const excluded = new Set(eligible.filter((_, q) => r.outcome !== null && r.outcome.excludedAt[q] < r.chunksAggregated));
  const blamed = recordRound(
    j.records,
    {
      groups: r.groups,
      submitted: r.submitted,
      eligible: r.groups.map((_, k) => eligible.includes(k)),
      excluded: r.groups.map((_, k) => excluded.has(k)),
      inliers: r.groups.map((_, k) => inliers.includes(k)),
      judged: how.voided === null,
      active: r.members.length,
    },
    p.numDOs,
    j.slashed,
  );
  const credits: ExpectedCredit[] = blamed.paid.map((i) => [account(i), Credit.Reward, p.rewardPerRound]);
  j.books.paid += BigInt(blamed.paid.length) * p.rewardPerRound;
  const convictions = blamed.convicted.map((member) => ({ member, reason: Slash.Convicted, amount: p.stake }));
  j.books.slashed += BigInt(convictions.length) * p.stake;
  run.stats.blameConvictions += convictions.length;
  same(
    run.chain.events(sent.receipt, "MemberSlashed").map((e) => [e.member, e.reason, e.amount]),
    [...slashes, ...convictions].map((s) => [BigInt(s.member), s.reason, s.amount]),
    "MemberSlashed",
  );
  credits.push(...feeTo(run, j, caller, "finalize"));
  run.stats.slashes += slashes.filter((s) => s.reason !== Slash.MissedCommit).length;
  run.stats.forfeits += slashes.filter((s) => s.reason === Slash.MissedCommit).length;
  run.stats.roundsFinalized++;
  if (how.voided === Void.TooFewEligibleGroups) run.stats.voided++;
  if (how.voided === Void.AggregationExpired) run.stats.expired++;
  if (how.voided === Void.AggregationExpired && r.chunksAggregated > 0) run.stats.expiredMidway++;
  // A void round's chunks count for nothing: the contract clears the count, so no chunk follows them.
  if (how.voided !== null) r.chunksAggregated = 0;
  if (inliers.length > 0) run.stats.paidRounds++;
  if (opensNextRound(j)) {
    creditedOnceAsPredicted(run, sent.receipt, j, r.index, credits);
    await openRound(run, j, r.index + 1, sent);
    return;
  }
  const settled = settlement(j);
  for (const [who, kind, amount] of settled.credits) {
    credits.push([who === "owner" ? run.f.addresses[j.owner] : typeof who === "number" ? account(who) : who, kind, amount]);
  }
  j.books.refunded = settled.refunded;
  j.books.stakesReturned = settled.stakesReturned;
  j.closed = true;
  creditedOnceAsPredicted(run, sent.receipt, j, r.index, credits);
  const [done] = run.chain.events(sent.receipt, "JobCompleted");
  same(
    [done.paid, done.refunded, done.slashed, done.stakesReturned],
    [j.books.paid, j.books.refunded, j.books.slashed, j.books.stakesReturned],
    "JobCompleted",
  );
  run.stats.completed++;
}
