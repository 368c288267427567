// Fuzz: fast-check drives the market with random sequences of calls by random actors (model owners, data
// owners, outsiders, a contract relaying masked words) across several concurrent ETH and ERC-20 jobs of 9–13
// data owners (at least three groups), some with an aggregation fee — honest calls and calls with a named
// fault (arbitraries.ts), members that never commit, drop out or stay silent, disputes of false commitments
// (with a valid proof, which convicts, or one that does not verify), aggregation deadlines passing before the
// last chunk (mid-aggregation with FUZZ_WIDE=1, whose jobs' vectors take two chunks), out-of-phase calls,
// cancels, releases and time jumps — and after every step checks the chain against the reference model in
// ../marketModel.ts (checks.ts):
//   - money: the market's ETH and token balances equal, to the wei, what flowed in minus what was
//     released, and equal the escrow of the books plus every releasable credit; a settled job's books
//     balance (paid + fees + refunded + slashed + stakesReturned = budget + stakes), everything slashed or
//     forfeited burned;
//   - credits: every Credited event is the one the model predicts, no account is credited twice for a
//     round (nor an aggregation fee twice for a transaction, a stake, a burn or a settlement twice), and
//     releasable() equals the model's credits;
//   - phases: phase(jobId) equals the model's phase at the block time and only moves along legal
//     transitions; every call's outcome — success, or the exact custom error with its arguments — is the
//     one the model predicts, so every out-of-phase call reverts with MarketUnexpectedPhase;
//   - rounds: pay, aggregation fees, slashes and missed-commit forfeits are the model's; void rounds (too few
//     eligible groups, or the aggregation deadline passed) pay nobody and move on to the next round; the job
//     completes when its rounds are exhausted or too few members remain for the rule;
//   - views: round bitmaps, deadlines, the draw (no groups in the opening block, where a commit reverts),
//     groups, active pairs, chunk counts and commitments match the model, and every aggregate chunk and
//     round result matches the TypeScript computation in src/protocol.
// The default run draws the same steps every time (a fixed seed; FUZZ_SEED overrides it), but the groups
// they meet are drawn from block hashes, which differ from one node process to the next (the genesis block
// carries the wall-clock time), so a failure is best read from the trace it prints; FUZZ_LONG=1 (which also
// sets FUZZ_WIDE) or FUZZ_STEPS=N run more steps, FUZZ_SHRINK=1 shrinks a failing sequence, FUZZ_PATH
// replays one failing run (with its seed), FUZZ_VERBOSE=1 counts the reverts by error.
import { expect } from "chai";
import { FUZZ, fuzzMarket } from "./harness";

describe("fuzz: market invariants", function () {
  it(`fuzz: ${FUZZ.steps} random honest and faulty steps over concurrent ETH and ERC-20 jobs keep money, credits, phases and views equal to the model`, async function () {
    const stats = await fuzzMarket();
    expect(stats.steps).to.be.at.least(FUZZ.steps);
    expect(stats.outOfPhase).to.be.greaterThan(0);
    expect(stats.roundsFinalized).to.be.greaterThan(0);
    expect(stats.paidRounds).to.be.greaterThan(0);
    expect(stats.certified).to.be.greaterThan(0);
    expect(stats.voided).to.be.greaterThan(0);
    expect(stats.forfeits).to.be.greaterThan(0);
    expect(stats.completed).to.be.greaterThan(0);
    expect(stats.released).to.be.greaterThan(0);
  });
});
