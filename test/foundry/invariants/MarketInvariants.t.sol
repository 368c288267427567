// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {JobBooks} from "../../../contracts/types/MarketTypes.sol";
import {TestBase} from "../utils/TestBase.sol";
import {MarketHandler} from "../handlers/MarketHandler.sol";

/// @title MarketInvariantsTest: what must hold after every call of any sequence the handler plays
/// @notice The handler is the fuzzer's only target; each invariant reads the market and the handler's record.
contract MarketInvariantsTest is TestBase {
    uint256 internal constant TX_GAS_CAP = 16_777_216;

    OmniMarket internal market;
    MockERC20 internal token;
    MarketHandler internal handler;

    /// @notice Deploys the market (forge links its libraries), the token and the handler.
    function setUp() public {
        market = new OmniMarket();
        token = new MockERC20();
        handler = new MarketHandler(market, token);
        targetContract(address(handler));
        targetSender(makeAddr("sequencer"));
    }

    /// @notice The market's ETH and token balances are what came in minus what was released, and exactly the
    /// escrow of the jobs plus every releasable credit; no job pays out more than it took in, a settled job
    /// balances to the wei (paid + fees + refunded + slashed + stakesReturned == budget + stakes), and every
    /// job's books are the record's.
    function invariant_booksBalanceToTheWei() public view {
        address[] memory accounts = handler.accounts();
        uint256 jobs = market.jobCount();
        assertEq(jobs, handler.jobCount(), "job count");
        for (uint256 t = 0; t < 2; ++t) {
            address asset = t == 0 ? address(0) : address(token);
            uint256 balance = t == 0 ? address(market).balance : token.balanceOf(address(market));
            uint256 escrow;
            for (uint256 id = 1; id <= jobs; ++id) {
                if (market.jobParams(id).token != asset) continue;
                JobBooks memory b = market.jobBooks(id);
                uint256 incoming = b.budget + b.stakes;
                uint256 outgoing = b.paid + b.fees + b.refunded + b.slashed + b.stakesReturned;
                assertLe(outgoing, incoming, "a job paid out more than it took in");
                bool closed = market.jobInfo(id).closed;
                if (closed) assertEq(outgoing, incoming, "a settled job's books do not balance");
                // Rewards and fees are credited as they are earned; slashes stay in escrow until settlement.
                escrow += closed ? 0 : incoming - b.paid - b.fees;
                _assertSameBooks(b, handler.booksOf(id));
            }
            uint256 credits;
            uint256 paidIn;
            uint256 paidOut;
            for (uint256 a = 0; a < accounts.length; ++a) {
                credits += market.releasable(asset, accounts[a]);
                paidIn += handler.paidIn(asset, accounts[a]);
                paidOut += handler.released(asset, accounts[a]);
            }
            assertEq(balance + paidOut, paidIn, "balance differs from what the accounts paid in minus what they were paid");
            assertEq(balance, handler.held(asset), "balance differs from what came in minus what was released");
            assertEq(balance, escrow + credits, "balance differs from escrow plus credits");
        }
    }

    /// @notice Nothing slashed or forfeited reaches a party: the burn address holds (or was sent) exactly what the
    /// settled jobs slashed, and nothing of an unsettled job's slashes is credited yet.
    function invariant_slashedStakesAreBurnedNeverPaidToAParty() public view {
        address burn = 0x000000000000000000000000000000000000dEaD;
        for (uint256 t = 0; t < 2; ++t) {
            address asset = t == 0 ? address(0) : address(token);
            uint256 burned;
            for (uint256 id = 1; id <= market.jobCount(); ++id) {
                if (market.jobParams(id).token == asset && market.jobInfo(id).closed) burned += market.jobBooks(id).slashed;
            }
            assertEq(market.releasable(asset, burn) + handler.released(asset, burn), burned, "burned differs from the settled slashes");
        }
    }

    /// @notice A model owner is credited only the unspent budget of its settled jobs (at most budget − paid − fees:
    /// less the held pay of slashed members, which is burned; never a slashed stake), plus the fees of the aggregation transactions it sent itself; all fees together are the
    /// jobs' booked fees.
    function invariant_ownerIsCreditedOnlyTheUnspentBudget() public view {
        address[] memory owners = handler.owners();
        address[] memory accounts = handler.accounts();
        for (uint256 t = 0; t < 2; ++t) {
            address asset = t == 0 ? address(0) : address(token);
            uint256 fees;
            for (uint256 id = 1; id <= market.jobCount(); ++id) {
                if (market.jobParams(id).token == asset) fees += market.jobBooks(id).fees;
            }
            uint256 earned;
            for (uint256 a = 0; a < accounts.length; ++a) earned += handler.feesEarned(asset, accounts[a]);
            assertEq(earned, fees, "fees credited differ from the fees booked");
            for (uint256 o = 0; o < owners.length; ++o) {
                uint256 refunds;
                for (uint256 id = 1; id <= market.jobCount(); ++id) {
                    if (market.jobParams(id).token != asset || market.jobInfo(id).owner != owners[o]) continue;
                    JobBooks memory b = market.jobBooks(id);
                    if (!market.jobInfo(id).closed) continue;
                    assertLe(b.refunded, b.budget - b.paid - b.fees, "a refund above the unspent budget");
                    refunds += b.refunded;
                }
                uint256 got = market.releasable(asset, owners[o]) + handler.released(asset, owners[o]);
                assertEq(got, refunds + handler.feesEarned(asset, owners[o]), "an owner credited more than its refunds and fees");
            }
        }
    }

    /// @notice No credit is booked twice (a round's reward, a stake return or a settlement), and no account can
    /// release more than the record says it is owed.
    function invariant_noDoubleCredit() public view {
        assertEq(handler.doubleCredits(), 0, handler.lastFinding());
        address[] memory accounts = handler.accounts();
        for (uint256 a = 0; a < accounts.length; ++a) {
            assertLe(market.releasable(address(0), accounts[a]), handler.owed(address(0), accounts[a]), "ETH credit above what is owed");
            assertLe(market.releasable(address(token), accounts[a]), handler.owed(address(token), accounts[a]), "token credit above what is owed");
        }
    }

    /// @notice Every observed phase change was legal: forward inside a round, a round ends only by a finalizing
    /// transaction, and Completed and Cancelled are final.
    function invariant_phasesOnlyMoveForward() public view {
        assertEq(handler.phaseRegressions(), 0, handler.lastFinding());
        for (uint256 id = 1; id <= market.jobCount(); ++id) {
            (uint256 seenPlusOne, uint256 seenRound) = handler.seen(id);
            assertTrue(handler.legal(seenPlusOne, seenRound, market.phase(id), market.jobInfo(id).round, false), "phase moved unobserved");
        }
    }

    /// @notice Every call made in the wrong phase was refused with MarketUnexpectedPhase and its arguments.
    function invariant_nothingCallableOutOfPhase() public view {
        assertEq(handler.outOfPhaseAccepted(), 0, handler.lastFinding());
        assertEq(handler.outOfPhaseWrongError(), 0, handler.lastFinding());
    }

    /// @notice Every misuse (wrong sender, round, chunk, length, key, payment, peer list or slice) was refused
    /// with the custom error and arguments the protocol names.
    function invariant_everyMisuseIsRefusedWithItsError() public view {
        assertEq(handler.misuseAccepted(), 0, handler.lastFinding());
        assertEq(handler.misuseWrongError(), 0, handler.lastFinding());
    }

    /// @notice No transaction the actors sent needed more than the EIP-7825 cap of 16,777,216 gas.
    function invariant_noTransactionAboveTheCap() public view {
        assertLe(handler.maxTxGas(), TX_GAS_CAP, "a transaction above the cap");
    }

    /// @notice The market agrees with the record: phases, randomness and groups, active pairs, chunk counts, the
    /// model hash chain, every round's eligible and inlier groups and its aggregate recomputed from the members'
    /// plaintext updates, the slashed members, and every account's credits.
    function invariant_marketMatchesTheGhostModel() public view {
        assertEq(handler.modelMismatches(), 0, handler.lastFinding());
        address[] memory accounts = handler.accounts();
        for (uint256 a = 0; a < accounts.length; ++a) {
            assertEq(market.releasable(address(0), accounts[a]), handler.owed(address(0), accounts[a]), "ETH credits");
            assertEq(market.releasable(address(token), accounts[a]), handler.owed(address(token), accounts[a]), "token credits");
        }
    }

    function _assertSameBooks(JobBooks memory b, JobBooks memory r) private pure {
        assertEq(b.budget, r.budget, "budget");
        assertEq(b.stakes, r.stakes, "stakes");
        assertEq(b.paid, r.paid, "paid");
        assertEq(b.fees, r.fees, "fees");
        assertEq(b.refunded, r.refunded, "refunded");
        assertEq(b.slashed, r.slashed, "slashed");
        assertEq(b.stakesReturned, r.stakesReturned, "stakes returned");
    }
}
