// Fuzz: fast-check drives the market with random sequences of calls by random actors (model owners, data
// owners, outsiders) across several concurrent ETH and ERC-20 jobs — honest calls and calls with a named fault
// (arbitraries.ts), out-of-phase calls, cancels, releases and time jumps — and after every step checks the
// chain against the reference model in ../marketModel.ts (checks.ts):
//   - money: the market's ETH and token balances equal, to the wei, what flowed in minus what was
//     released, and equal the escrow of the books plus every releasable credit;
//   - credits: every Credited event is the one the model predicts, no account is credited twice for a
//     round (nor a stake or a settlement twice), and releasable() equals the model's credits;
//   - phases: phase(jobId) equals the model's phase at the block time and only moves along legal
//     transitions; every call's outcome — success, or the exact custom error with its arguments — is the
//     one the model predicts, so every out-of-phase call reverts with MarketUnexpectedPhase;
//   - views: round bitmaps, deadlines, groups, active pairs, chunk counts and commitments match the model,
//     and every aggregate chunk and round result matches the TypeScript computation in src/protocol.
// The default run is deterministic (a fixed seed; FUZZ_SEED overrides it); FUZZ_LONG=1 or FUZZ_STEPS=N run
// more steps, FUZZ_SHRINK=1 shrinks a failing sequence, FUZZ_PATH replays one failing run (with its seed),
// FUZZ_VERBOSE=1 counts the reverts by error.
import { expect } from "chai";
import { FUZZ, fuzzMarket } from "./harness";

describe("fuzz: market invariants", function () {
  it(`fuzz: ${FUZZ.steps} random honest and faulty steps over concurrent ETH and ERC-20 jobs keep money, credits, phases and views equal to the model`, async function () {
    const stats = await fuzzMarket();
    expect(stats.steps).to.be.at.least(FUZZ.steps);
    expect(stats.outOfPhase).to.be.greaterThan(0);
    expect(stats.roundsFinalized).to.be.greaterThan(0);
    expect(stats.completed).to.be.greaterThan(0);
    expect(stats.released).to.be.greaterThan(0);
  });
});
