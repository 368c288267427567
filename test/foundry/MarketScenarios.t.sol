// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../contracts/interfaces/IOmniMarket.sol";
import {BabyJubjub} from "../../contracts/libraries/BabyJubjub.sol";
import {Packed32} from "../../contracts/libraries/Packed32.sol";
import {JobParams, JobBooks, Phase, RoundResult} from "../../contracts/types/MarketTypes.sol";
import {MarketFixture} from "./utils/MarketFixture.sol";
import {Keys} from "./utils/Keys.sol";
import {Protocol} from "./utils/Protocol.sol";
import {Vm} from "./utils/Vm.sol";

/// @title MarketScenariosTest: whole rounds, each arranged as its story, then the property it must show
contract MarketScenariosTest is MarketFixture {
    /// @notice Seeds and commitments derived here are the TypeScript protocol's (vector from src/protocol:
    /// pairSeed(ecdhSharedX(1003, pk(1005)), chain 31337, market 0x5FbD…0aa3, job 7, round 2, lo 1, hi 4)).
    function test_SeedsMatchTheTypeScriptProtocol() public pure {
        Protocol.Context memory ctx = Protocol.Context({
            chainId: 31337,
            market: 0x5FbDB2315678afecb367f032d93F642f64180aa3,
            jobId: 7,
            round: 2
        });
        bytes32 seed = Protocol.pairSeed(Keys.sharedX(3, 5), ctx, 1, 4);
        assertEq(seed, 0x2de213e8ce08b207e9b7ee4292b2f5ea0b1b453e4badcbd313d5937df664b96f, "pair seed");
        assertEq(Protocol.commitmentOf(ctx, 4, 1, seed), 0xbe11b2b30e586b4b2ac55a7351b24f6472cbac3ee613c00b8c87bc039be91fc6, "commitment");
    }

    /// @notice Every fixed key passes the market's key check; a point of order 2 does not.
    function test_EveryActorKeyIsAPrimeOrderPoint() public pure {
        for (uint256 a = 0; a < Keys.COUNT; ++a) {
            (uint256 x, uint256 y) = Keys.publicKey(a);
            assertTrue(BabyJubjub.isValidPublicKey(x, y), "actor key refused");
        }
        assertTrue(!BabyJubjub.isValidPublicKey(0, BabyJubjub.P - 1), "order-2 point accepted");
    }

    /// @notice Six honest DOs in two groups of three: everyone is paid, stakes return, the books balance and
    /// the market ends holding nothing once everyone released.
    function test_HonestRoundPaysEverySubmitterAndSettlesToTheWei() public {
        JobParams memory p = _params(6, 3, 1, address(0));
        uint256 id = _openJob(p);
        _playRound(id, Plan(0, 0, 0, 0));
        market.finalizeRound(id, 0);
        assertEq(uint256(market.phase(id)), uint256(Phase.Completed), "job completed");
        for (uint256 i = 0; i < 6; ++i) assertEq(market.releasable(address(0), dos[i]), p.rewardPerRound + p.stake, "pay and stake");
        assertEq(market.releasable(address(0), mo), 0, "nothing left for the MO");
        JobBooks memory b = market.jobBooks(id);
        assertEq(b.paid + b.refunded + b.slashed + b.stakesReturned, b.budget + b.stakes, "books balance");
        for (uint256 i = 0; i < 6; ++i) {
            uint256 before = dos[i].balance;
            vm.prank(outsider);
            market.release(address(0), dos[i]);
            assertEq(dos[i].balance, before + p.rewardPerRound + p.stake, "released to the DO");
        }
        assertEq(address(market).balance, 0, "market holds nothing");
    }

    /// @notice The aggregate of one group is the lane-wise mean of its members' plaintexts: the masks cancel.
    function test_MasksCancelInTheGroupSum() public {
        uint256 id = _openJob(_params(3, 3, 1, address(0)));
        _commitAll(id, Plan(0, 0, 0, 0));
        _submitAll(id, Plan(0, 0, 0, 0));
        assertTrue(keccak256(_maskedBytes[0]) != keccak256(abi.encodePacked(_plainWord(id, 0, 0))), "vector posted unmasked");
        vm.recordLogs();
        market.aggregateChunk(id, 0, 0, _aggregationData(id));
        bytes memory words = _aggregateWords(vm.getRecordedLogs());
        for (uint256 w = 0; w < 3; ++w) {
            uint256 sum = Packed32.add(Packed32.add(_plainWord(id, 0, w), _plainWord(id, 1, w)), _plainWord(id, 2, w));
            uint256 got;
            assembly ("memory-safe") {
                got := mload(add(add(words, 0x20), shl(5, w)))
            }
            for (uint256 t = 0; t < 8; ++t) {
                int256 mean = int256(int32(uint32(sum >> (32 * t)))) / 3;
                assertEq(int256(int32(uint32(got >> (32 * t)))), mean, "lane mean");
            }
        }
    }

    /// @notice In a group of four, one member commits and vanishes: the other three reveal their seeds with it,
    /// the group stays eligible and is paid, the dropout loses its stake to the MO.
    function test_DropoutIsSlashedAndItsMasksRemovedByTheReveals() public {
        JobParams memory p = _params(4, 4, 1, address(0));
        uint256 id = _openJob(p);
        _playRound(id, Plan(0, 1 << 2, 0, 0));
        market.finalizeRound(id, 0);
        RoundResult memory r = market.roundResult(id, 0);
        assertEq(r.eligibleGroups, 1, "group eligible after the reveals");
        assertEq(market.jobInfo(id).slashedMembers, 1 << 2, "dropout slashed");
        assertEq(market.releasable(address(0), dos[2]), 0, "dropout keeps nothing");
        for (uint256 i = 0; i < 4; ++i) if (i != 2) assertEq(market.releasable(address(0), dos[i]), p.rewardPerRound + p.stake, "paid");
        assertEq(market.releasable(address(0), mo), _budget(p) - 3 * p.rewardPerRound + p.stake, "unspent budget and the slashed stake");
    }

    /// @notice A member lies about a dropped peer's seed: it is slashed, its group is not aggregated and nobody
    /// in it is paid; the MO gets back the whole budget and both slashed stakes.
    function test_LiarIsSlashedAndItsGroupGoesUnpaid() public {
        JobParams memory p = _params(4, 4, 1, address(0));
        uint256 id = _openJob(p);
        _playRound(id, Plan(0, 1 << 2, 1 << 0, 0));
        assertEq(market.roundInfo(id).contradicted, 1, "lie recorded");
        market.finalizeRound(id, 0);
        assertEq(market.roundResult(id, 0).eligibleGroups, 0, "group ineligible");
        assertEq(market.jobInfo(id).slashedMembers, (1 << 0) | (1 << 2), "liar and dropout slashed");
        assertEq(market.releasable(address(0), mo), _budget(p) + 2 * p.stake, "budget and slashed stakes back");
        assertEq(market.releasable(address(0), dos[1]), p.stake, "honest member: stake only");
    }

    /// @notice The MO cannot reclaim credited pay: after the job completes it has no call left, and a release it
    /// sends for a DO pays the DO.
    function test_MoCannotReclaimCreditedPay() public {
        JobParams memory p = _params(3, 3, 1, address(token));
        uint256 id = _openJob(p);
        _playRound(id, Plan(0, 0, 0, 0));
        market.finalizeRound(id, 0);
        vm.prank(mo);
        vm.expectRevert(_phaseError(id, uint8(Phase.Completed), uint8(Phase.Cancelled)));
        market.cancel(id);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketNothingToRelease.selector, address(token), mo));
        market.release(address(token), mo);
        uint256 moBefore = token.balanceOf(mo);
        uint256 doBefore = token.balanceOf(dos[0]);
        vm.prank(mo);
        market.release(address(token), dos[0]);
        assertEq(token.balanceOf(dos[0]), doBefore + p.rewardPerRound + p.stake, "the DO got its pay");
        assertEq(token.balanceOf(mo), moBefore, "the MO got nothing");
    }

    /// @notice A roster that does not fill in time: anyone cancels, the budget and the stakes are credited back
    /// once, and a second cancel is refused.
    function test_CancelRefundsBudgetAndStakesOnce() public {
        JobParams memory p = _params(6, 3, 2, address(token));
        uint256 id = _create(p);
        _publish(id);
        _join(id, 0);
        _join(id, 1);
        vm.prank(outsider);
        vm.expectRevert(_phaseError(id, uint8(Phase.Joining), uint8(Phase.Cancelled)));
        market.cancel(id);
        vm.warp(block.timestamp + DURATION + 1);
        vm.prank(outsider);
        market.cancel(id);
        assertEq(market.releasable(address(token), mo), _budget(p), "budget back");
        assertEq(market.releasable(address(token), dos[0]), p.stake, "stake back");
        assertEq(market.releasable(address(token), dos[1]), p.stake, "stake back");
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketAlreadySettled.selector, id));
        market.cancel(id);
        assertEq(token.balanceOf(address(market)), _budget(p) + 2 * p.stake, "all still held as credits");
    }

    /// @notice Round calls before the roster seals and after the job completed are refused as out of phase.
    function test_RoundCallsOutOfPhaseAreRefused() public {
        JobParams memory p = _params(3, 3, 1, address(0));
        uint256 id = _create(p);
        vm.prank(dos[0]);
        vm.expectRevert(_phaseError(id, uint8(Phase.Publishing), uint8(Phase.Commit)));
        market.commitSeeds(id, 0, new bytes32[](2));
        _publish(id);
        for (uint256 i = 0; i < 3; ++i) _join(id, i);
        _commit(id, 0);
        vm.prank(dos[0]);
        vm.expectRevert(_phaseError(id, uint8(Phase.Commit), uint8(Phase.Submit)));
        market.submitMasked(id, 0, 0, new bytes(96));
        vm.expectRevert(_phaseError(id, uint8(Phase.Commit), uint8(Phase.Aggregate)));
        market.finalizeRound(id, 0);
    }

    /// @dev The words of the AggregateChunkComputed event among `logs`.
    function _aggregateWords(Vm.Log[] memory logs) private view returns (bytes memory) {
        for (uint256 q = 0; q < logs.length; ++q) {
            if (logs[q].emitter == address(market) && logs[q].topics[0] == IOmniMarket.AggregateChunkComputed.selector) {
                return abi.decode(logs[q].data, (bytes));
            }
        }
        revert("no aggregate chunk");
    }
}
