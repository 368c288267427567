// The fuzz's member calls in a round — commitSeeds, submitMasked, disputeCommitment and revealSeeds, honest
// or with a named fault — each sent with the outcome the model predicts and applied to the round's model when
// it succeeds; and the opening of a round, whose groups its block's hash draws.
import { ZeroHash, concat, getBytes, id, toBigInt } from "ethers";
import { assignGroups, dleqContext, proveSharedPoint, seedCommitment, type RoundContext } from "../../../src/protocol";
import { Phase, keyPair } from "../helpers";
import {
  OK,
  convictedBy,
  drawAvailable,
  expectDisputeBody,
  expectRound,
  expectRoundCall,
  expectSubmitBody,
  fails,
  groupOf,
  newRound,
  remainingMembers,
  roundRandomness,
  targets,
  type JobModel,
} from "../marketModel";
import { randomBytes, type FaultOf } from "./arbitraries";
import { bitsOf, same } from "./checks";
import type { Run } from "./fixture";
import { contextOf, maskedOf, pairSeedOf, peersOf } from "./seeds";
import type { Sent } from "./sender";

/** The roster index of `actor` in `job`, if it joined. */
function indexOf(job: JobModel | undefined, actor: number): number | undefined {
  const i = job ? job.roster.indexOf(actor) : -1;
  return i < 0 ? undefined : i;
}

/** Opens round `round` of the model as the RoundOpened event of `sent` announces it: its members are the
 * roster less the slashed and the absent, its groups drawn by the hash of the block `sent` landed in. In that
 * block itself the draw is unavailable, so a commit there reverts. */
export async function openRound(run: Run, job: JobModel, round: number, sent: Sent) {
  const members = remainingMembers(job);
  const { blockNumber, blockHash } = sent.receipt;
  const [opened] = run.chain.events(sent.receipt, "RoundOpened");
  same([opened.jobId, opened.round, opened.drawBlock, opened.members], [job.id, BigInt(round), BigInt(blockNumber), bitsOf(members)], "RoundOpened");
  const randomness = roundRandomness(blockHash, run.f.address, job.id, round);
  job.round = newRound(round, sent.at, blockNumber, randomness, members, assignGroups(randomness, members, job.p.groupSize));
  // A new round must show no commitment yet, whatever the slots held in the last one.
  run.ghost.deep = [members[round % members.length], members[(round + 1) % members.length]];
  run.ghost.viewsDue = true;
  const i = members[blockNumber % members.length];
  const commitments = peersOf(job, i).map(() => ZeroHash);
  await run.chain.revertsInTheLatestBlock(
    `commitSeeds job ${job.id} r${round} by ${job.roster[i]} (${i}) in the draw block`,
    job.roster[i],
    fails("MarketDrawUnavailable", job.id, round, blockNumber),
    (m, o) => m.commitSeeds.populateTransaction(job.id, round, commitments, o),
  );
}

/** commitSeeds by `actor`: one commitment per group peer; a pair whose commitments agree becomes active. */
export async function commit(run: Run, job: JobModel | undefined, jobId: bigint, actor: number, fault: FaultOf<"commit">, seed: number) {
  const { f } = run;
  const rd = job?.round;
  const i = indexOf(job, actor);
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  let expected = expectRoundCall(job, jobId, run.chain.now, Phase.Commit, round, f.addresses[actor], i);
  const commitments: string[] = [];
  if (!expected) {
    const peers = peersOf(job!, i!);
    // Replays: commitments computed for another job or another round; they open nothing here.
    const over: Partial<RoundContext> =
      fault === "otherJobsCommitments" ? { jobId: jobId + 1n } : fault === "nextRoundsCommitments" ? { round: BigInt(round + 1) } : {};
    for (const j of peers) {
      const [lo, hi] = i! < j ? [i!, j] : [j, i!];
      commitments.push(seedCommitment(contextOf(f, job!, round, over), lo, hi, await pairSeedOf(f, job!, round, i!, j, over)));
    }
    if (fault === "extraCommitment") commitments.push(ZeroHash);
    if (fault === "garbledCommitment") commitments[seed % commitments.length] = id(`garbage ${seed}`);
    if (rd!.commitments.has(i!)) expected = fails("MarketAlreadyCommitted", jobId, round, i);
    else if (!drawAvailable(rd!, run.chain.block)) expected = fails("MarketDrawUnavailable", jobId, round, rd!.drawBlock);
    else if (commitments.length !== peers.length) expected = fails("MarketWrongCommitmentCount", jobId, peers.length, commitments.length);
    else expected = OK;
  }
  const label = `commitSeeds job ${jobId} r${round} by ${actor} (${i}) ${fault}`;
  const sent = await run.chain.send(label, actor, expected, (m, o) => m.commitSeeds.populateTransaction(jobId, round, commitments, o));
  if (!sent) return;
  // The round's first commit stores its randomness.
  same(
    run.chain.events(sent.receipt, "GroupsDrawn").map((e) => e.randomness),
    rd!.drawn ? [] : [rd!.randomness],
    "GroupsDrawn",
  );
  rd!.drawn = true;
  const peers = peersOf(job!, i!);
  rd!.commitments.set(i!, commitments);
  const active = new Set<number>();
  for (const [slot, j] of peers.entries()) {
    const theirs = rd!.commitments.get(j);
    if (theirs && theirs[peersOf(job!, j).indexOf(i!)] === commitments[slot]) {
      active.add(j);
      rd!.active.get(j)!.add(i!);
    }
  }
  rd!.active.set(i!, active);
  run.ghost.deep = [i!];
  if (rd!.commitments.size === rd!.members.length) rd!.commitEndedAt = sent.at;
  const [ev] = run.chain.events(sent.receipt, "SeedsCommitted");
  same([ev.member, [...ev.commitments]], [BigInt(i!), commitments], "SeedsCommitted");
}

/** submitMasked by `actor` of the rest of its masked vector, from its next chunk. */
export async function submit(run: Run, job: JobModel | undefined, jobId: bigint, actor: number, fault: FaultOf<"submit">, seed: number) {
  const { f, ghost } = run;
  const rd = job?.round;
  const i = indexOf(job, actor);
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  const done = i === undefined ? 0 : (rd?.chunks.get(i) ?? 0);
  const firstChunk = done + (fault === "skipsAChunk" ? 1 : 0);
  let bytes: Uint8Array = new Uint8Array(32);
  // Relayed through a contract, the words are refused once the phase and the round are right.
  const relayed = fault === "throughAContract";
  let expected = relayed
    ? (expectRound(job, jobId, run.chain.now, Phase.Submit, round) ?? fails("MarketSubmitterNotDirect", jobId, f.relayAddress))
    : expectRoundCall(job, jobId, run.chain.now, Phase.Submit, round, f.addresses[actor], i);
  if (!expected) {
    const last = ghost.lastVectors.get(`${jobId}:${i}`);
    const full =
      fault === "randomVector"
        ? randomBytes(job!.W * 32, seed)
        : fault === "lastVectorAgain" && last
          ? last
          : rd!.commitments.has(i!) && (rd!.active.get(i!)?.size ?? 0) >= 2
            ? await maskedOf(f, job!, i!, seed)
            : new Uint8Array(job!.W * 32);
    bytes = full.subarray(Math.min(full.length, firstChunk * job!.C * 32));
    if (fault === "lastWordMissing") bytes = bytes.subarray(0, Math.max(0, bytes.length - 32));
    if (fault === "extraWord") bytes = getBytes(concat([bytes, ZeroHash]));
    if (fault === "strayByte") bytes = getBytes(concat([bytes, "0x01"]));
    expected = expectSubmitBody(job!, i!, round, firstChunk, bytes.length);
  }
  const label = `submitMasked job ${jobId} r${round} by ${actor} (${i}) from ${firstChunk} ${fault}`;
  const sent = await run.chain.send(label, actor, expected, (m, o) =>
    relayed
      ? f.relay.forward.populateTransaction(m.interface.encodeFunctionData("submitMasked", [jobId, round, firstChunk, bytes]), o)
      : m.submitMasked.populateTransaction(jobId, round, firstChunk, bytes, o),
  );
  if (!sent) return;
  const chunks = Math.ceil(bytes.length / 32 / job!.C);
  const vector = rd!.vectors.get(i!) ?? new Uint8Array(job!.W * 32);
  vector.set(bytes, firstChunk * job!.C * 32);
  rd!.vectors.set(i!, vector);
  rd!.chunks.set(i!, firstChunk + chunks);
  if (firstChunk + chunks === job!.K) {
    rd!.submitted.add(i!);
    ghost.lastVectors.set(`${jobId}:${i}`, vector);
    if (rd!.submitted.size === rd!.commitments.size) rd!.submitEndedAt = sent.at;
  }
  const [ev] = run.chain.events(sent.receipt, "MaskedChunksSubmitted");
  same([ev.member, ev.firstChunk, ev.chunkCount], [BigInt(i!), BigInt(firstChunk), BigInt(chunks)], "MaskedChunksSubmitted");
}

/** disputeCommitment by `actor` naming a peer: honestly a group peer whose commitment for the pair differs,
 * with a valid proof of the pair's shared point, which convicts whichever of the two committed a false seed
 * (its group is void for the round); or with a proof that does not verify (random words); or naming a peer
 * that makes no disputable pair (itself, another group's member, a peer that agrees). */
export async function dispute(run: Run, job: JobModel | undefined, jobId: bigint, actor: number, fault: FaultOf<"dispute">, seed: number) {
  const { f } = run;
  const rd = job?.round;
  const i = indexOf(job, actor);
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  const garbage = fault === "garbageProof";
  let peer = seed % 16;
  let expected = expectRoundCall(job, jobId, run.chain.now, Phase.Submit, round, f.addresses[actor], i);
  if (!expected) {
    const group = groupOf(rd!, i!)!;
    const peers = peersOf(job!, i!);
    const committed = rd!.commitments.has(i!);
    const differ = committed ? peers.filter((j) => rd!.commitments.has(j) && !rd!.active.get(i!)!.has(j)) : [];
    const agree = committed ? [...rd!.active.get(i!)!] : [];
    const others = rd!.members.filter((j) => !group.includes(j));
    const pick = (xs: number[], otherwise: number[]) => (xs.length > 0 ? xs[seed % xs.length] : otherwise[seed % otherwise.length]);
    peer =
      fault === "selfAsPeer" ? i! : fault === "otherGroupsPeer" ? pick(others, peers) : fault === "agreeingPeer" ? pick(agree, peers) : pick(differ, peers);
    expected = expectDisputeBody(job!, i!, peer, !garbage);
  }
  let proof: bigint[];
  if (expected === OK) {
    // The proof this member would publish: its ECDH point with the peer, sk_i · PK_peer.
    const own = await keyPair(100 + actor);
    const { publicKey } = await keyPair(100 + job!.roster[peer]);
    const p = await proveSharedPoint(own.secretKey, own.publicKey, publicKey, dleqContext(f.chainId, f.address, jobId));
    proof = [...p.shared, ...p.r1, ...p.r2, p.s];
  } else {
    const words = randomBytes(7 * 32, seed);
    proof = Array.from({ length: 7 }, (_, k) => toBigInt(words.subarray(32 * k, 32 * k + 32)));
  }
  const [x, y, r1x, r1y, r2x, r2y, s] = proof;
  const label = `disputeCommitment job ${jobId} r${round} by ${actor} (${i}) peer ${peer} ${fault}`;
  const sent = await run.chain.send(label, actor, expected, (m, o) =>
    m.disputeCommitment.populateTransaction(jobId, round, peer, [x, y], [r1x, r1y], [r2x, r2y], s, o),
  );
  if (!sent) return;
  const [lo, hi] = i! < peer ? [i!, peer] : [peer, i!];
  const truth = seedCommitment(contextOf(f, job!, round), lo, hi, await pairSeedOf(f, job!, round, i!, peer));
  const convicted = convictedBy(rd!, i!, peer, truth);
  for (const c of convicted) rd!.convicted.add(c);
  run.ghost.viewsDue = true;
  const [ev] = run.chain.events(sent.receipt, "CommitmentDisputed");
  same([ev.member, ev.peer, ev.convicted], [BigInt(i!), BigInt(peer), bitsOf(convicted)], "CommitmentDisputed");
  run.stats.convictions += convicted.length;
}

/** revealSeeds by `actor` of the seeds of its dropped active peers; a seed that does not open its commitment
 * convicts the revealer. */
export async function reveal(run: Run, job: JobModel | undefined, jobId: bigint, actor: number, fault: FaultOf<"reveal">, seed: number) {
  const { f } = run;
  const rd = job?.round;
  const i = indexOf(job, actor);
  const round = (rd?.index ?? 0) + (fault === "wrongRound" ? 1 : 0);
  let peers: number[] = [];
  let seeds: string[] = [];
  let expected = expectRoundCall(job, jobId, run.chain.now, Phase.Reveal, round, f.addresses[actor], i);
  if (!expected) {
    const wanted = targets(rd!, i!);
    peers = [...wanted];
    // Seeds of another round are a replay; they contradict this round's commitments.
    const over: Partial<RoundContext> = fault === "otherRoundsSeeds" ? { round: BigInt(round === 0 ? 1 : round - 1) } : {};
    for (const j of peers) seeds.push(await pairSeedOf(f, job!, rd!.index, i!, j, over));
    if (fault === "wrongSeed" && seeds.length > 0) seeds[seed % seeds.length] = id(`lie ${seed}`);
    if (fault === "peerMissing") [peers, seeds] = [peers.slice(0, -1), seeds.slice(0, -1)];
    if (fault === "extraSeed") seeds.push(ZeroHash);
    if (fault === "peersNotAscending")
      [peers, seeds] =
        peers.length > 1
          ? [[...peers].reverse(), [...seeds].reverse()]
          : [
              [...peers, ...peers],
              [...seeds, ...seeds],
            ];
    const ascending = peers.every((p, k) => p <= 255 && (k === 0 || p > peers[k - 1]));
    const provided = ascending ? bitsOf(peers) : 0n;
    if (!rd!.submitted.has(i!)) expected = fails("MarketNotSubmitter", jobId, round, i);
    else if (rd!.revealed.has(i!)) expected = fails("MarketAlreadyRevealed", jobId, round, i);
    else if (wanted.length === 0) expected = fails("MarketNothingToReveal", jobId, rd!.index, i);
    else if (provided !== bitsOf(wanted) || seeds.length !== peers.length) expected = fails("MarketRevealMismatch", jobId, i, bitsOf(wanted), provided);
    else expected = OK;
  }
  const label = `revealSeeds job ${jobId} r${round} by ${actor} (${i}) peers [${peers}] ${fault}`;
  const sent = await run.chain.send(label, actor, expected, (m, o) => m.revealSeeds.populateTransaction(jobId, round, peers, seeds, o));
  if (!sent) return;
  rd!.revealed.add(i!);
  const contradicted: bigint[] = [];
  const mine = rd!.commitments.get(i!)!;
  const slots = peersOf(job!, i!);
  for (const [t, j] of peers.entries()) {
    const [lo, hi] = i! < j ? [i!, j] : [j, i!];
    if (seedCommitment(contextOf(f, job!, rd!.index), lo, hi, seeds[t]) === mine[slots.indexOf(j)]) rd!.seeds.set(`${i}:${j}`, seeds[t]);
    else contradicted.push(BigInt(j));
  }
  if (contradicted.length > 0) {
    rd!.contradicted.add(i!);
    run.stats.contradictions++;
  }
  same(
    run.chain.events(sent.receipt, "SeedContradicted").map((e) => e.peer),
    contradicted,
    "SeedContradicted",
  );
}
