// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../contracts/interfaces/IOmniMarket.sol";
import {BabyJubjub} from "../../contracts/libraries/BabyJubjub.sol";
import {Packed32} from "../../contracts/libraries/Packed32.sol";
import {CreditKind, JobParams, JobBooks, Phase, RoundInfo, RoundResult, Rule, SlashReason, VoidReason} from "../../contracts/types/MarketTypes.sol";
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

    /// @notice Nine honest DOs in three groups of three, an outsider aggregating: everyone is paid, stakes return,
    /// the aggregator gets a fee for each of its two transactions, the books balance and the market ends holding
    /// nothing once everyone released.
    function test_HonestRoundPaysEverySubmitterAndSettlesToTheWei() public {
        JobParams memory p = _params(9, 3, 1, address(0));
        p.aggregationFee = 1e14;
        uint256 id = _openJob(p);
        _commitAll(id, _honest());
        _submitAll(id, _honest());
        bytes memory data = _aggregationData(id);
        vm.prank(outsider);
        market.aggregateChunk(id, 0, 0, data);
        vm.prank(outsider);
        market.finalizeRound(id, 0);
        assertEq(uint256(market.phase(id)), uint256(Phase.Completed), "job completed");
        assertEq(market.roundResult(id, 0).inlierGroups, 7, "every group an inlier");
        for (uint256 i = 0; i < 9; ++i) assertEq(market.releasable(address(0), dos[i]), p.rewardPerRound + p.stake, "pay and stake");
        assertEq(market.releasable(address(0), outsider), 2 * p.aggregationFee, "a fee per aggregation transaction");
        assertEq(market.releasable(address(0), mo), 0, "nothing left for the MO");
        assertEq(market.releasable(address(0), BURN), 0, "nothing burned");
        JobBooks memory b = market.jobBooks(id);
        assertEq(b.fees, 2 * p.aggregationFee, "fees booked");
        assertEq(b.paid + b.fees + b.refunded + b.slashed + b.stakesReturned, b.budget + b.stakes, "books balance");
        for (uint256 i = 0; i < 9; ++i) {
            uint256 before = dos[i].balance;
            vm.prank(outsider);
            market.release(address(0), dos[i]);
            assertEq(dos[i].balance, before + p.rewardPerRound + p.stake, "released to the DO");
        }
        vm.prank(outsider);
        market.release(address(0), outsider);
        assertEq(address(market).balance, 0, "market holds nothing");
    }

    /// @notice Each group's sum is the sum of its members' plaintexts (the masks cancel), so the aggregate is,
    /// lane by lane, the median of the three groups' plaintext means.
    function test_MasksCancelInTheGroupSum() public {
        uint256 id = _openJob(_params(9, 3, 1, address(0)));
        _commitAll(id, _honest());
        _submitAll(id, _honest());
        assertTrue(keccak256(_maskedBytes[0]) != keccak256(abi.encodePacked(_plainWord(id, 0, 0))), "vector posted unmasked");
        uint256[][] memory gs = market.groups(id);
        vm.recordLogs();
        market.aggregateChunk(id, 0, 0, _aggregationData(id));
        bytes memory words = _aggregateWords(vm.getRecordedLogs());
        for (uint256 w = 0; w < 3; ++w) {
            uint256 got;
            assembly ("memory-safe") {
                got := mload(add(add(words, 0x20), shl(5, w)))
            }
            for (uint256 t = 0; t < 8; ++t) {
                int256[3] memory means;
                for (uint256 k = 0; k < 3; ++k) {
                    uint256 sum;
                    for (uint256 q = 0; q < 3; ++q) sum = Packed32.add(sum, _plainWord(id, gs[k][q], w));
                    means[k] = int256(int32(uint32(sum >> (32 * t)))) / 3;
                }
                assertEq(int256(int32(uint32(got >> (32 * t)))), _middle(means), "lane median of the group means");
            }
        }
    }

    /// @notice Ten DOs make groups of 4, 3 and 3. In the group of four one member commits and vanishes: the other
    /// three reveal their seeds with it, the group stays eligible and is paid, the dropout's stake is burned.
    function test_DropoutIsSlashedAndItsMasksRemovedByTheReveals() public {
        JobParams memory p = _params(10, 3, 1, address(0));
        uint256 id = _openJob(p);
        uint256 dropout = market.groups(id)[_groupOfSize(id, 4)][0];
        _playRound(id, Plan(0, uint256(1) << dropout, 0, 0));
        market.finalizeRound(id, 0);
        RoundResult memory r = market.roundResult(id, 0);
        assertEq(r.eligibleGroups, 7, "group eligible after the reveals");
        assertEq(market.jobInfo(id).slashedMembers, uint256(1) << dropout, "dropout slashed");
        assertEq(market.releasable(address(0), dos[dropout]), 0, "dropout keeps nothing");
        for (uint256 i = 0; i < 10; ++i) {
            if (i != dropout) assertEq(market.releasable(address(0), dos[i]), p.rewardPerRound + p.stake, "paid");
        }
        assertEq(market.releasable(address(0), BURN), p.stake, "the slashed stake burned");
        assertEq(market.releasable(address(0), mo), _budget(p) - 9 * p.rewardPerRound, "the MO: the unspent budget only");
    }

    /// @notice In the group of four a member lies about the dropout's seed: it is slashed and its group is not
    /// aggregated. Two eligible groups are too few for the median, so the round is void: nobody is paid, the MO
    /// gets back the whole budget and both slashed stakes are burned.
    function test_LiarIsSlashedAndItsGroupGoesUnpaid() public {
        JobParams memory p = _params(10, 3, 1, address(0));
        uint256 id = _openJob(p);
        uint256 k = _groupOfSize(id, 4);
        uint256 dropout = market.groups(id)[k][0];
        uint256 liar = market.groups(id)[k][1];
        _playRound(id, Plan(0, uint256(1) << dropout, uint256(1) << liar, 0));
        assertEq(market.roundInfo(id).contradicted, uint256(1) << liar, "lie recorded");
        vm.recordLogs();
        market.finalizeRound(id, 0);
        assertEq(_voidReason(vm.getRecordedLogs()), 1 + uint256(VoidReason.TooFewEligibleGroups), "void round");
        RoundResult memory r = market.roundResult(id, 0);
        assertEq(r.eligibleGroups, 7 & ~(uint256(1) << k), "the liar's group ineligible");
        assertEq(r.inlierGroups, 0, "nobody judged");
        assertEq(r.aggregateHash, bytes32(0), "no aggregate");
        assertEq(market.jobInfo(id).slashedMembers, (uint256(1) << liar) | (uint256(1) << dropout), "liar and dropout slashed");
        assertEq(market.releasable(address(0), mo), _budget(p), "the whole budget back");
        assertEq(market.releasable(address(0), BURN), 2 * p.stake, "both slashed stakes burned");
        uint256 honest = market.groups(id)[k][2];
        assertEq(market.releasable(address(0), dos[honest]), p.stake, "honest member: stake only");
    }

    /// @notice A dropout's stake never reaches the MO, however the MO arranged it: it is burned, and the MO's
    /// settlement is only the budget nobody earned (less the rewards and the aggregators' fees).
    function test_MoCannotProfitFromSlash() public {
        JobParams memory p = _params(10, 3, 1, address(token));
        p.aggregationFee = 1e14;
        uint256 id = _openJob(p);
        uint256 dropout = market.groups(id)[_groupOfSize(id, 4)][0];
        Plan memory plan = Plan(0, uint256(1) << dropout, 0, 0);
        _commitAll(id, plan);
        _submitAll(id, plan);
        vm.warp(market.roundInfo(id).submitDeadline + 1);
        _revealAll(id, plan);
        bytes memory data = _aggregationData(id);
        vm.prank(outsider);
        market.aggregateChunk(id, 0, 0, data);
        vm.recordLogs();
        vm.prank(outsider);
        market.finalizeRound(id, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        JobBooks memory b = market.jobBooks(id);
        assertEq(b.slashed, p.stake, "the dropout's stake slashed");
        assertEq(_creditOf(logs, BURN, CreditKind.Burn), p.stake, "burned");
        assertEq(market.releasable(address(token), BURN), p.stake, "credited to the burn address");
        assertEq(b.refunded, b.budget - 9 * p.rewardPerRound - 2 * p.aggregationFee, "unspent budget");
        assertEq(_creditOf(logs, mo, CreditKind.OwnerSettlement), b.refunded, "the MO's settlement");
        assertEq(market.releasable(address(token), mo), b.refunded, "the MO's credit is the unspent budget only");
        assertEq(market.releasable(address(token), outsider), 2 * p.aggregationFee, "the aggregator's fees");
        assertEq(b.paid + b.fees + b.refunded + b.slashed + b.stakesReturned, b.budget + b.stakes, "books balance");
        assertEq(b.stakesReturned, 9 * p.stake, "the other stakes returned");
    }

    /// @notice A member that never commits cannot end the job: it voids round 0 for its group (its two peers
    /// cannot submit, leaving two eligible groups), is ejected and forfeits (groupSize − 1) · reward, burned;
    /// the job moves on to round 1 with the nine others, and the rest of its stake comes back at settlement.
    function test_JobCannotBeEndedByASilentSeat() public {
        JobParams memory p = _params(10, 3, 2, address(0));
        uint256 id = _openJob(p);
        uint256 silent = market.groups(id)[_groupOfSize(id, 3)][0];
        _playRound(id, Plan(uint256(1) << silent, 0, 0, 0));
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketTooFewEligibleGroups.selector, id, 0, 2, 3));
        market.aggregateChunk(id, 0, 0, "");
        vm.recordLogs();
        market.finalizeRound(id, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 forfeit = 2 * p.rewardPerRound;
        assertEq(_voidReason(logs), 1 + uint256(VoidReason.TooFewEligibleGroups), "round 0 void");
        assertEq(_slashOf(logs, silent, SlashReason.MissedCommit), forfeit, "the forfeit");
        assertEq(market.jobInfo(id).absentMembers, uint256(1) << silent, "ejected");
        assertEq(market.jobInfo(id).slashedMembers, 0, "its stuck peers are not slashed");
        assertEq(market.jobBooks(id).slashed, forfeit, "the forfeit booked");
        assertEq(uint256(market.phase(id)), uint256(Phase.Commit), "the job moved on");
        assertEq(market.roundInfo(id).index, 1, "round 1");
        assertEq(market.roundInfo(id).members, ((uint256(1) << 10) - 1) & ~(uint256(1) << silent), "without the silent seat");
        _playRound(id, _honest());
        market.finalizeRound(id, 1);
        assertEq(uint256(market.phase(id)), uint256(Phase.Completed), "completed");
        assertEq(market.releasable(address(0), dos[silent]), p.stake - forfeit, "the rest of its stake back");
        assertEq(market.releasable(address(0), BURN), forfeit, "the forfeit burned");
        assertEq(market.releasable(address(0), mo), _budget(p) - 9 * p.rewardPerRound, "unspent budget");
    }

    /// @notice Nobody aggregates: finalizeRound is refused until the aggregation deadline, then anyone settles the
    /// round without its aggregate (nobody is paid, the finalizer gets its fee) and the job moves on.
    function test_RoundSettlesAfterAggregationDeadline() public {
        JobParams memory p = _params(9, 3, 2, address(0));
        p.aggregationFee = 1e14;
        uint256 id = _openJob(p);
        _commitAll(id, _honest());
        _submitAll(id, _honest());
        assertEq(uint256(market.phase(id)), uint256(Phase.Aggregate), "aggregate phase");
        RoundInfo memory info = market.roundInfo(id);
        assertEq(info.aggregateDeadline, info.revealDeadline + p.aggregateDuration, "aggregation deadline");
        bytes memory incomplete = abi.encodeWithSelector(IOmniMarket.MarketAggregationIncomplete.selector, id, 0, 0, 1);
        vm.expectRevert(incomplete);
        market.finalizeRound(id, 0);
        vm.warp(info.aggregateDeadline);
        vm.expectRevert(incomplete);
        market.finalizeRound(id, 0);
        vm.warp(info.aggregateDeadline + 1);
        vm.recordLogs();
        vm.prank(outsider);
        market.finalizeRound(id, 0);
        assertEq(_voidReason(vm.getRecordedLogs()), 1 + uint256(VoidReason.AggregationExpired), "void: aggregation expired");
        RoundResult memory r = market.roundResult(id, 0);
        assertEq(r.aggregateHash, bytes32(0), "no aggregate");
        assertEq(r.inlierGroups, 0, "nobody judged");
        assertEq(market.jobBooks(id).paid, 0, "nobody paid");
        assertEq(market.releasable(address(0), outsider), p.aggregationFee, "the finalizer's fee");
        assertEq(market.jobInfo(id).slashedMembers | market.jobInfo(id).absentMembers, 0, "nobody slashed");
        assertEq(uint256(market.phase(id)), uint256(Phase.Commit), "the job moved on");
        assertEq(market.roundInfo(id).index, 1, "round 1");
    }

    /// @notice A member commits a false seed for one pair; its peer proves the pair's ECDH point with a DLEQ proof
    /// in the submit window. The false committer is convicted and slashed (burned), its group is void for the
    /// round (nobody in it may submit, nobody else in it is slashed), and with two groups left the round is void.
    function test_FalseCommitmentIsProvenAndItsGroupVoided() public {
        JobParams memory p = _params(10, 3, 1, address(0));
        uint256 id = _openJob(p);
        uint256 k = _groupOfSize(id, 3);
        uint256[] memory group = market.groups(id)[k];
        (uint256 liar, uint256 peer, uint256 third) = (group[0], group[1], group[2]);
        bytes32[] memory c = _commitmentsOf(id, liar);
        c[0] = keccak256("a false seed for the pair with its first peer");
        vm.prank(dos[liar]);
        market.commitSeeds(id, 0, c);
        for (uint256 i = 0; i < 10; ++i) if (i != liar) _commit(id, i);
        assertEq(uint256(market.phase(id)), uint256(Phase.Submit), "submit phase");
        _dispute(id, peer, liar);
        assertEq(market.roundInfo(id).convicted, uint256(1) << liar, "the false committer convicted, its peer not");
        bytes memory words = _maskedOf(id, third);
        vm.prank(dos[third], dos[third]);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketGroupVoid.selector, id, 0, k));
        market.submitMasked(id, 0, 0, words);
        for (uint256 i = 0; i < 10; ++i) if (i != liar && i != peer && i != third) _submit(id, i);
        vm.warp(market.roundInfo(id).submitDeadline + 1);
        assertEq(uint256(market.phase(id)), uint256(Phase.Aggregate), "no reveal required of a void group");
        vm.recordLogs();
        market.finalizeRound(id, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_slashOf(logs, liar, SlashReason.FalseCommitment), p.stake, "slashed for the false commitment");
        assertEq(market.jobInfo(id).slashedMembers, uint256(1) << liar, "nobody else in the group slashed");
        assertEq(market.roundResult(id, 0).eligibleGroups, 7 & ~(uint256(1) << k), "the void group ineligible");
        assertEq(_voidReason(logs), 1 + uint256(VoidReason.TooFewEligibleGroups), "two groups left: void round");
        assertEq(market.releasable(address(0), BURN), p.stake, "its stake burned");
        assertEq(market.releasable(address(0), dos[peer]), p.stake, "the disputer keeps its stake");
    }

    /// @notice A job whose rounds would have fewer groups than its rule needs to resist one bad group is refused:
    /// two groups under the median, three under a trimmed mean that trims a quarter (it needs four), and a
    /// trimmed mean that trims nothing at all; nine DOs in three groups of three are accepted.
    function test_TwoGroupJobIsRefused() public {
        JobParams memory p = _params(6, 3, 1, address(0));
        uint256 value = _budget(p);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketTooFewGroups.selector, 2, 3));
        market.createJob{value: value}(p);
        p = _params(9, 3, 1, address(0));
        p.rule = Rule.TrimmedMean;
        p.trimBps = 2500;
        value = _budget(p);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketTooFewGroups.selector, 3, 4));
        market.createJob{value: value}(p);
        p.trimBps = 0;
        value = _budget(p);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketInvalidParameter.selector, "trimBps", 0));
        market.createJob{value: value}(p);
        p.trimBps = 3334;
        assertEq(_create(p), 1, "three groups, trimming a third");
    }

    /// @notice A window below its floor (Windows.sol) is refused: for 9 DOs in groups of 3 and one chunk the commit
    /// window needs 4 blocks of 12 s and the aggregation window 5.
    function test_WindowBelowItsFloorIsRefused() public {
        JobParams memory p = _params(9, 3, 1, address(0));
        p.commitDuration = 47;
        uint256 value = _budget(p);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketWindowTooShort.selector, "commitDuration", 47, 48));
        market.createJob{value: value}(p);
        p.commitDuration = 48;
        p.aggregateDuration = 59;
        value = _budget(p);
        vm.prank(mo);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketWindowTooShort.selector, "aggregateDuration", 59, 60));
        market.createJob{value: value}(p);
        p.aggregateDuration = 60;
        assertEq(_create(p), 1, "windows at their floors");
    }

    /// @notice The groups come from the hash of the block that opened the round: in that block they are unknown
    /// (no groups, no randomness) and a commit is refused; from the next block on they are fixed.
    function test_CommitInTheDrawBlockIsRefused() public {
        JobParams memory p = _params(9, 3, 1, address(0));
        uint256 id = _create(p);
        _publish(id);
        for (uint256 i = 0; i < 9; ++i) _join(id, i);
        RoundInfo memory info = market.roundInfo(id);
        assertEq(info.drawBlock, block.number, "drawn from this block");
        assertEq(info.randomness, bytes32(0), "no randomness yet");
        assertEq(market.groups(id).length, 0, "no groups yet");
        vm.prank(dos[0]);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketDrawUnavailable.selector, id, 0, block.number));
        market.commitSeeds(id, 0, new bytes32[](2));
        vm.roll(block.number + 1);
        bytes32 expected = keccak256(abi.encode(blockhash(info.drawBlock), address(market), id, uint256(0)));
        assertEq(market.roundInfo(id).randomness, expected, "randomness from the draw block's hash");
        assertEq(market.groups(id).length, 3, "three groups");
        _commit(id, 0);
        vm.roll(block.number + 300);
        assertEq(market.roundInfo(id).randomness, expected, "stored by the first commit");
    }

    /// @notice Masked words only in a transaction the member sends itself: a call relayed by a contract (tx.origin
    /// another account) is refused.
    function test_SubmissionNotSentByTheMemberItselfIsRefused() public {
        uint256 id = _openJob(_params(9, 3, 1, address(0)));
        _commitAll(id, _honest());
        bytes memory words = _maskedOf(id, 0);
        vm.prank(dos[0]);
        vm.expectRevert(abi.encodeWithSelector(IOmniMarket.MarketSubmitterNotDirect.selector, id, dos[0]));
        market.submitMasked(id, 0, 0, words);
        vm.prank(dos[0], dos[0]);
        market.submitMasked(id, 0, 0, words);
    }

    /// @notice The MO cannot reclaim credited pay: after the job completes it has no call left, and a release it
    /// sends for a DO pays the DO.
    function test_MoCannotReclaimCreditedPay() public {
        JobParams memory p = _params(9, 3, 1, address(token));
        uint256 id = _openJob(p);
        _playRound(id, _honest());
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
        JobParams memory p = _params(9, 3, 2, address(token));
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
        JobParams memory p = _params(9, 3, 1, address(0));
        uint256 id = _create(p);
        vm.prank(dos[0]);
        vm.expectRevert(_phaseError(id, uint8(Phase.Publishing), uint8(Phase.Commit)));
        market.commitSeeds(id, 0, new bytes32[](2));
        _publish(id);
        for (uint256 i = 0; i < 9; ++i) _join(id, i);
        _commit(id, 0);
        vm.prank(dos[0], dos[0]);
        vm.expectRevert(_phaseError(id, uint8(Phase.Commit), uint8(Phase.Submit)));
        market.submitMasked(id, 0, 0, new bytes(96));
        vm.expectRevert(_phaseError(id, uint8(Phase.Commit), uint8(Phase.Aggregate)));
        market.finalizeRound(id, 0);
    }

    /// @dev Member `i` disputes its pair with `peer`: the pair's ECDH point sk_i · PK_peer with its DLEQ proof.
    function _dispute(uint256 id, uint256 i, uint256 peer) private {
        (uint256 ix, uint256 iy) = Keys.publicKey(i);
        (uint256 px, uint256 py) = Keys.publicKey(peer);
        bytes32 context = keccak256(abi.encode(block.chainid, address(market), id));
        (uint256[2] memory shared, uint256[2] memory r1, uint256[2] memory r2, uint256 s) =
            Protocol.dleqProof(Keys.secretKey(i), [ix, iy], [px, py], 777, context);
        assertEq(bytes32(shared[0]), Keys.sharedX(i, peer), "the shared point is the pair's ECDH point");
        uint256 round = market.roundInfo(id).index;
        vm.prank(dos[i]);
        market.disputeCommitment(id, round, peer, shared, r1, r2, s);
    }

    /// @dev Everyone acts.
    function _honest() private pure returns (Plan memory) {
        return Plan(0, 0, 0, 0);
    }

    /// @dev Index of the first group of the current round with `size` members.
    function _groupOfSize(uint256 id, uint256 size) private view returns (uint256) {
        uint256[][] memory gs = market.groups(id);
        for (uint256 k = 0; k < gs.length; ++k) if (gs[k].length == size) return k;
        revert("no group of that size");
    }

    /// @dev The middle one of three values.
    function _middle(int256[3] memory v) private pure returns (int256) {
        (int256 a, int256 b, int256 c) = (v[0], v[1], v[2]);
        if ((a <= b && b <= c) || (c <= b && b <= a)) return b;
        if ((b <= a && a <= c) || (c <= a && a <= b)) return a;
        return c;
    }

    /// @dev 1 + the reason of the RoundVoided event among `logs` (0: none).
    function _voidReason(Vm.Log[] memory logs) private view returns (uint256) {
        for (uint256 q = 0; q < logs.length; ++q) {
            if (logs[q].emitter == address(market) && logs[q].topics[0] == IOmniMarket.RoundVoided.selector) {
                return 1 + abi.decode(logs[q].data, (uint256));
            }
        }
        return 0;
    }

    /// @dev The amount of the Credited event of `kind` to `account` among `logs` (0: none).
    function _creditOf(Vm.Log[] memory logs, address account, CreditKind kind) private view returns (uint256) {
        for (uint256 q = 0; q < logs.length; ++q) {
            Vm.Log memory l = logs[q];
            if (l.emitter != address(market) || l.topics[0] != IOmniMarket.Credited.selector) continue;
            (uint256 k, uint256 amount) = abi.decode(l.data, (uint256, uint256));
            if (address(uint160(uint256(l.topics[3]))) == account && k == uint256(kind)) return amount;
        }
        return 0;
    }

    /// @dev The amount of the MemberSlashed event of `member` for `reason` among `logs` (0: none).
    function _slashOf(Vm.Log[] memory logs, uint256 member, SlashReason reason) private view returns (uint256) {
        for (uint256 q = 0; q < logs.length; ++q) {
            Vm.Log memory l = logs[q];
            if (l.emitter != address(market) || l.topics[0] != IOmniMarket.MemberSlashed.selector) continue;
            (uint256 why, uint256 amount) = abi.decode(l.data, (uint256, uint256));
            if (uint256(l.topics[3]) == member && why == uint256(reason)) return amount;
        }
        return 0;
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
