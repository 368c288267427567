// The fuzz's job-level calls, each sent with the outcome the model predicts and booked in the ghost when it
// succeeds: createJob, publishModel, join, cancel and release, and the time jumps between them.
import { ethers } from "hardhat";
import { ZeroHash, concat, getBytes } from "ethers";
import { ruleName } from "../../../src/chain";
import { chunkWordsFor, emptyRecord, extendHashChain, packWords, windowFloors } from "../../../src/protocol";
import { ETH, Phase, budgetOf, jobParams, keyPair, modelOf, type Params } from "../helpers";
import { OK, deadlines, fails, minEligible, phaseAt, sealed, type Expectation, type JobModel } from "../marketModel";
import { ACTORS, WIDE, type Draft, type FaultOf } from "./arbitraries";
import { creditedOnceAsPredicted, same } from "./checks";
import type { Run } from "./fixture";
import { openRound } from "./roundActions";

const GWEI = 10n ** 9n;

/** The job a draft describes: 9–13 DOs in groups of 3 or 4 making at least 3 groups, vectors of one chunk
 * (or, with WIDE, now and then two), windows at their floors plus the draft's extra seconds, and a trimmed
 * mean that trims enough for the group count. */
export function paramsOf(d: Draft, token: string): Params {
  const n = d.numDOs;
  const groupSize = Math.min(3 + (d.groupExtra >> 1), Math.floor(n / 3));
  const groups = Math.floor(n / groupSize);
  // A trimmed mean needs ceil(10000 / trimBps) ≤ groups: trimBps from ceil(10000 / groups) up to 4999.
  const least = Math.ceil(10000 / groups);
  const trimBps = d.rule === 1 ? least + (d.trimBps % (5000 - least)) : d.trimBps;
  const rule = ruleName(d.rule) ?? "median";
  const paramCount = d.wide === 7 && WIDE ? 8 * chunkWordsFor(n, groupSize, rule) + d.paramCount : d.paramCount;
  const floors = windowFloors(n, groupSize, paramCount, rule);
  return jobParams({
    token,
    numDOs: n,
    groupSize,
    rounds: d.rounds,
    paramCount,
    rewardPerRound: BigInt(d.reward) * GWEI,
    stake: BigInt(d.stake) * GWEI,
    aggregationFee: d.fee > 1000 ? BigInt(d.fee - 1000) * GWEI : 0n,
    joinDuration: Math.max(floors.join, d.joinDuration),
    commitDuration: floors.commit + d.commitExtra,
    submitDuration: floors.submit + d.submitExtra,
    revealDuration: floors.reveal + d.revealExtra,
    aggregateDuration: floors.aggregate + d.aggregateExtra,
    rule: d.rule,
    trimBps,
    outlierFactorBps: d.outlierFactorBps,
    minProjectionBps: d.minProjectionBps,
  });
}

/** createJob from a draft: valid, with one invalid parameter, or with a wrong payment. */
export async function create(run: Run, d: Draft) {
  const { f, ghost } = run;
  const owner = d.owner < 12 ? 1 + (d.owner % 2) : d.owner % ACTORS;
  const n = d.numDOs;
  let p = paramsOf(d, d.erc20 ? f.tokenAddress : ETH);
  const budget = budgetOf(p);
  let value = d.erc20 ? 0n : budget;
  let expected: Expectation = OK;
  if (d.flaw >= 16 && d.flaw < 24) {
    const eoa = f.addresses[18];
    const floors = windowFloors(n, p.groupSize, p.paramCount, ruleName(p.rule) ?? "median");
    const windows = [
      ["joinDuration", floors.join],
      ["commitDuration", floors.commit],
      ["submitDuration", floors.submit],
      ["revealDuration", floors.reveal],
      ["aggregateDuration", floors.aggregate],
    ] as const;
    const [window, floor] = windows[n % windows.length];
    // Groups of n / 3 + 1 make only two groups.
    const fewGroups = Math.floor(n / 3) + 1;
    const invalid = (name: string, reported: bigint) => fails("MarketInvalidParameter", name, reported);
    const bad: [Partial<Params>, Expectation][] = [
      [{ groupSize: n + 1 }, invalid("groupSize", BigInt(n + 1))],
      [{ rounds: 0 }, invalid("rounds", 0n)],
      [{ stake: 0n }, invalid("stake", 0n)],
      [{ trimBps: 5000 }, invalid("trimBps", 5000n)],
      [{ commitDuration: 0 }, invalid("commitDuration", 0n)],
      [{ token: eoa }, invalid("token", BigInt(eoa))],
      [{ rule: 1, trimBps: 0 }, invalid("trimBps", 0n)],
      [{ groupSize: fewGroups }, fails("MarketTooFewGroups", Math.floor(n / fewGroups), minEligible(p))],
      [{ [window]: floor - 1 } as Partial<Params>, fails("MarketWindowTooShort", window, floor - 1, floor)],
    ];
    const [over, error] = bad[(d.flaw - 16 + n) % bad.length];
    p = { ...p, ...over };
    expected = error;
  } else if (d.flaw === 24) {
    value = d.erc20 ? 1n : budget + 1n;
    expected = fails("MarketWrongValue", d.erc20 ? 0n : budget, value);
  }
  const label =
    `createJob by ${owner} n=${n} g=${p.groupSize} R=${p.rounds} d=${p.paramCount} rule=${p.rule}/${p.trimBps} ` +
    `fee=${p.aggregationFee} ${d.erc20 ? "ERC-20" : "ETH"}`;
  const sent = await run.chain.send(label, owner, expected, (m, o) => m.createJob.populateTransaction(p, { value, ...o }));
  if (!sent) return;
  const id = BigInt(ghost.jobs.length + 1);
  const [created] = run.chain.events(sent.receipt, "JobCreated");
  same([created.jobId, created.owner, created.token, created.budget], [id, f.addresses[owner], p.token, budget], "JobCreated");
  const W = Math.ceil(p.paramCount / 8);
  const C = Number(created.chunkWords);
  ghost.jobs.push({
    id,
    p,
    owner,
    createdAt: sent.at,
    W,
    C,
    K: Math.ceil(W / C),
    model: packWords(modelOf(p.paramCount)),
    modelHash: ZeroHash,
    wordsPosted: 0,
    roster: [],
    closed: false,
    slashed: new Set(),
    absent: new Set(),
    records: Array.from({ length: p.numDOs }, () => emptyRecord()),
    books: { budget, stakes: 0n, paid: 0n, fees: 0n, refunded: 0n, slashed: 0n, stakesReturned: 0n },
    round: null,
  });
  ghost.hold(p.token, budget);
  run.stats.maxConcurrentJobs = Math.max(run.stats.maxConcurrentJobs, ghost.live().length);
}

/** publishModel of the next words (`count`, else a number drawn from `seed`) by actor `sender`. */
export async function publish(run: Run, job: JobModel | undefined, jobId: bigint, sender: number, fault: FaultOf<"publish">, seed: number, count?: number) {
  const address = run.f.addresses[sender];
  let first = job?.wordsPosted ?? 0;
  const remaining = job ? job.W - job.wordsPosted : 1;
  let words = count ?? 1 + (seed % Math.max(1, remaining));
  if (fault === "skipsAWord") first += 1;
  if (fault === "pastTheLastWord") words = remaining + 1;
  const source = job ? getBytes(concat([job.model, new Uint8Array(64)])) : new Uint8Array(64);
  let bytes: Uint8Array = source.subarray(first * 32, (first + words) * 32);
  if (fault === "partialWord") bytes = bytes.subarray(0, 31);
  if (fault === "noWords") bytes = new Uint8Array(0);
  let expected: Expectation;
  const n = Math.floor(bytes.length / 32);
  const ph = job ? phaseAt(job, run.chain.now) : 0n;
  if (!job) expected = fails("MarketUnknownJob", jobId);
  else if (sender !== job.owner) expected = fails("MarketNotOwner", jobId, address);
  else if (ph !== Phase.Publishing) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Publishing);
  else if (first !== job.wordsPosted) expected = fails("MarketUnexpectedWord", jobId, job.wordsPosted, first);
  else if (n === 0 || bytes.length % 32 !== 0 || first + n > job.W) expected = fails("MarketInvalidWordsLength", jobId, bytes.length);
  else expected = OK;
  const label = `publishModel job ${jobId} by ${sender} words [${first}, +${bytes.length / 32})`;
  const sent = await run.chain.send(label, sender, expected, (m, o) => m.publishModel.populateTransaction(jobId, first, bytes, o));
  if (!sent || !job) return;
  job.modelHash = extendHashChain(job.modelHash, bytes);
  job.wordsPosted += n;
  const [published] = run.chain.events(sent.receipt, "ModelPublished");
  same(published.modelHash, job.modelHash, "model hash chain");
}

/** join by `actor` with its key (100 + actor) and its stake; the join that seals the roster opens round 0. */
export async function join(run: Run, job: JobModel | undefined, jobId: bigint, actor: number, fault: FaultOf<"join">) {
  const address = run.f.addresses[actor];
  const key = fault === "keyOffTheCurve" ? ([1n, 2n] as const) : (await keyPair(100 + actor)).publicKey;
  const eth = !job || job.p.token === ETH;
  const stake = job?.p.stake ?? 0n;
  const value = fault === "wrongPayment" ? (eth ? stake + 1n : 1n) : eth ? stake : 0n;
  let expected: Expectation;
  const ph = job ? phaseAt(job, run.chain.now) : 0n;
  if (!job) expected = fails("MarketUnknownJob", jobId);
  else if (ph !== Phase.Joining) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Joining);
  else if (job.roster.includes(actor)) expected = fails("MarketAlreadyJoined", jobId, address);
  else if (fault === "keyOffTheCurve") expected = fails("MarketInvalidKey", key[0], key[1]);
  else if (fault === "wrongPayment") expected = fails("MarketWrongValue", eth ? stake : 0n, value);
  else expected = OK;
  const sent = await run.chain.send(`join job ${jobId} by ${actor}`, actor, expected, (m, o) =>
    m.join.populateTransaction(jobId, key[0], key[1], { value, ...o }),
  );
  if (!sent || !job) return;
  const [joined] = run.chain.events(sent.receipt, "Joined");
  same([joined.account, joined.index], [address, BigInt(job.roster.length)], "Joined");
  job.roster.push(actor);
  job.books.stakes += stake;
  run.ghost.hold(job.p.token, stake);
  if (sealed(job)) await openRound(run, job, 0, sent);
}

/** cancel: refunds the budget to the owner and every stake to its member (no round ran: nothing slashed, no fee). */
export async function cancel(run: Run, job: JobModel | undefined, jobId: bigint, caller: number) {
  let expected: Expectation;
  const ph = job ? phaseAt(job, run.chain.now) : 0n;
  if (!job) expected = fails("MarketUnknownJob", jobId);
  else if (ph !== Phase.Cancelled) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Cancelled);
  else if (job.closed) expected = fails("MarketAlreadySettled", jobId);
  else expected = OK;
  const sent = await run.chain.send(`cancel job ${jobId} by ${caller}`, caller, expected, (m, o) => m.cancel.populateTransaction(jobId, o));
  if (!sent) return;
  const j = job!;
  j.closed = true;
  j.books.refunded = j.books.budget;
  j.books.stakesReturned = BigInt(j.roster.length) * j.p.stake;
  const credits: [string, bigint, bigint][] = [[run.f.addresses[j.owner], 1n, j.books.budget]];
  for (const a of j.roster) credits.push([run.f.addresses[a], 2n, j.p.stake]);
  creditedOnceAsPredicted(run, sent.receipt, j, 0, credits);
  const [ev] = run.chain.events(sent.receipt, "JobCancelled");
  same([ev.refunded, ev.stakesReturned], [j.books.refunded, j.books.stakesReturned], "JobCancelled");
  run.stats.cancelled++;
}

/** release of `account`'s ETH or token credit, called by `caller`: the whole credit arrives. */
export async function release(run: Run, account: string, erc20: boolean, caller: number) {
  const { f, ghost } = run;
  const asset = erc20 ? f.tokenAddress : ETH;
  const amount = ghost.creditOf(asset, account);
  const expected = amount === 0n ? fails("MarketNothingToRelease", asset, account) : OK;
  const balance = () => (erc20 ? f.token.balanceOf(account) : ethers.provider.getBalance(account));
  const before = await balance();
  const label = `release ${erc20 ? "ERC-20" : "ETH"} to ${account} by ${caller}`;
  const sent = await run.chain.send(label, caller, expected, (m, o) => m.release.populateTransaction(asset, account, o));
  if (!sent) return;
  const [ev] = run.chain.events(sent.receipt, "Released");
  same([ev.token, ev.account, ev.amount], [asset, account, amount], "Released");
  const fee = !erc20 && f.addresses[caller] === account ? sent.receipt.fee : 0n;
  same(await balance(), before + amount - fee, "released amount arrived");
  ghost.credits.set(`${asset}:${account}`, 0n);
  ghost.touched.add(account);
  ghost.hold(asset, -amount);
  run.stats.released++;
}

/** Mines an empty block later: by `delta` seconds (mode 0), 10·delta (mode 2), or (mode 1) to a job's
 * next deadline (in Aggregate, the aggregation deadline) offset by −2 … +1 seconds (delta mod 4), so calls
 * and views land on either side of it. */
export async function timeJump(run: Run, n: number, mode: number, delta: number) {
  const now = run.chain.now;
  let to = now + (mode === 2 ? delta * 10 : delta);
  const live = run.ghost.live();
  const job = live.length > 0 ? live[n % live.length] : undefined;
  if (mode === 1 && job) {
    const ph = phaseAt(job, now);
    const d = job.round ? deadlines(job) : undefined;
    const deadline =
      ph === Phase.Publishing || ph === Phase.Joining
        ? job.createdAt + job.p.joinDuration
        : ph === Phase.Commit
          ? d!.commit
          : ph === Phase.Submit
            ? d!.submit
            : ph === Phase.Reveal
              ? d!.reveal
              : ph === Phase.Aggregate
                ? d!.aggregate
                : 0;
    if (deadline + (delta % 4) - 2 >= now) to = deadline + (delta % 4) - 2;
  }
  await run.chain.mine(to);
}
