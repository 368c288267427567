// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {TestBase} from "../utils/TestBase.sol";
import {MarketHandler} from "../handlers/MarketHandler.sol";

/// @title HandlerCoverageTest: the handler's honest play reaches payouts, slashes, settlements and releases
/// @notice A fixed sequence of handler calls, the kind the invariant fuzzer makes, must finalize rounds, credit
/// rewards and aggregation fees, slash, eject a member for a missed commit, void rounds, complete and cancel
/// jobs, release credits and try out-of-phase calls and misuses — with
/// every finding counter still zero. Otherwise the invariants would hold vacuously.
contract HandlerCoverageTest is TestBase {
    /// @notice A measured count, shown by forge at -vv.
    event log_named_uint(string key, uint256 val);

    MarketHandler internal handler;

    /// @notice Deploys the market, the token and the handler.
    function setUp() public {
        handler = new MarketHandler(new OmniMarket(), new MockERC20());
    }

    /// @notice Jobs played by `advance` with every other entry point mixed in reach every outcome.
    function test_handlerPlaysJobsToPayoutsSlashesAndReleases() public {
        for (uint256 s = 0; s < 160; ++s) {
            uint256 r = uint256(keccak256(abi.encode("coverage", s)));
            handler.advance(r, r >> 64, 12);
            uint256 k = s % 10;
            if (k == 0) handler.commitSeeds(r >> 1, r >> 9, r >> 17);
            else if (k == 1) handler.submitMasked(r >> 1, r >> 9, r >> 17);
            else if (k == 2) handler.revealSeeds(r >> 1, r >> 9, r >> 17);
            else if (k == 3) handler.aggregateChunk(r >> 1, r >> 9, r >> 17);
            else if (k == 4) handler.finalizeRound(r >> 1, r >> 9, r >> 17);
            else if (k == 5) handler.join(r >> 1, r >> 9, r >> 17);
            else if (k == 6) handler.publishModel(r >> 1, r >> 9, r >> 17);
            else if (k == 7) handler.intrude(r >> 1, r >> 9, r >> 17);
            else if (k == 8) handler.cancel(r >> 1, r >> 9);
            else handler.wait(r >> 1);
        }
        emit log_named_uint("jobs", handler.jobCount());
        emit log_named_uint("rounds finalized", handler.roundsFinalized());
        emit log_named_uint("rewards credited", handler.rewardsCredited());
        emit log_named_uint("slashes", handler.slashes());
        emit log_named_uint("missed-commit forfeits", handler.forfeits());
        emit log_named_uint("rounds voided", handler.roundsVoided());
        emit log_named_uint("aggregations expired", handler.roundsExpired());
        emit log_named_uint("groups over the norm bound", handler.groupsOverBound());
        emit log_named_uint("fees credited", handler.feesCredited());
        emit log_named_uint("disputes proven", handler.disputesProven());
        emit log_named_uint("jobs completed", handler.jobsCompleted());
        emit log_named_uint("jobs cancelled", handler.jobsCancelled());
        emit log_named_uint("releases", handler.releases());
        emit log_named_uint("out-of-phase calls", handler.outOfPhaseTried());
        emit log_named_uint("misuses", handler.misuseTried());
        emit log_named_uint("max tx gas", handler.maxTxGas());
        assertGt(handler.roundsFinalized(), 0, "no round finalized");
        assertGt(handler.rewardsCredited(), 0, "no reward credited");
        assertGt(handler.slashes(), 0, "nobody slashed");
        assertGt(handler.forfeits(), 0, "no missed commit forfeited");
        assertGt(handler.roundsVoided(), 0, "no round voided");
        assertGt(handler.feesCredited(), 0, "no fee credited");
        assertGt(handler.jobsCompleted(), 0, "no job completed");
        assertGt(handler.releases(), 0, "nothing released");
        assertGt(handler.outOfPhaseTried(), 0, "no out-of-phase call");
        assertGt(handler.misuseTried(), 0, "no misuse");
        assertEq(handler.doubleCredits() + handler.modelMismatches() + handler.phaseRegressions(), 0, handler.lastFinding());
        assertEq(handler.outOfPhaseAccepted() + handler.outOfPhaseWrongError(), 0, handler.lastFinding());
        assertEq(handler.misuseAccepted() + handler.misuseWrongError(), 0, handler.lastFinding());
    }
}
