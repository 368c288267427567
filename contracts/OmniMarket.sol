// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IOmniMarket} from "./interfaces/IOmniMarket.sol";
import {JobParams, JobInfo, JobBooks, MemberRecord, RoundInfo, RoundResult, Phase, Rule} from "./types/MarketTypes.sol";
import {GeoMedian} from "./libraries/GeoMedian.sol";
import {MarketStorage} from "./libraries/MarketStorage.sol";
import {RoundState} from "./libraries/RoundState.sol";
import {Books} from "./libraries/Books.sol";
import {ChunkSizing} from "./libraries/ChunkSizing.sol";
import {JobLogic} from "./libraries/JobLogic.sol";
import {RoundLogic} from "./libraries/RoundLogic.sol";
import {AggregateLogic} from "./libraries/AggregateLogic.sol";

/// @title OmniMarket
/// @notice Thin entry points over the linked libraries JobLogic, RoundLogic and AggregateLogic, which
/// operate on the single `MarketStorage.State`. See IOmniMarket and docs/CONTRACTS.md.
contract OmniMarket is IOmniMarket, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    MarketStorage.State private _state;

    /// @inheritdoc IOmniMarket
    function createJob(JobParams calldata params) external payable nonReentrant returns (uint256 jobId) {
        return JobLogic.createJob(_state, params, msg.value);
    }

    /// @inheritdoc IOmniMarket
    function publishModel(uint256 jobId, uint256 firstWord, bytes calldata words) external nonReentrant {
        JobLogic.publishModel(_state, jobId, firstWord, words);
    }

    /// @inheritdoc IOmniMarket
    function join(uint256 jobId, uint256 pkX, uint256 pkY) external payable nonReentrant {
        JobLogic.join(_state, jobId, pkX, pkY, msg.value);
    }

    /// @inheritdoc IOmniMarket
    function cancel(uint256 jobId) external nonReentrant {
        JobLogic.cancel(_state, jobId);
    }

    /// @inheritdoc IOmniMarket
    function commitSeeds(uint256 jobId, uint256 round, bytes32[] calldata commitments) external nonReentrant {
        RoundLogic.commitSeeds(_state, jobId, round, commitments);
    }

    /// @inheritdoc IOmniMarket
    function disputeCommitment(
        uint256 jobId,
        uint256 round,
        uint256 peer,
        uint256[2] calldata shared,
        uint256[2] calldata r1,
        uint256[2] calldata r2,
        uint256 s
    ) external nonReentrant {
        RoundLogic.disputeCommitment(_state, jobId, round, peer, shared, r1, r2, s);
    }

    /// @inheritdoc IOmniMarket
    function submitMasked(
        uint256 jobId,
        uint256 round,
        uint256 firstChunk,
        bytes calldata words
    ) external nonReentrant {
        RoundLogic.submitMasked(_state, jobId, round, firstChunk, words);
    }

    /// @inheritdoc IOmniMarket
    function revealSeeds(
        uint256 jobId,
        uint256 round,
        uint256[] calldata droppedPeers,
        bytes32[] calldata seeds
    ) external nonReentrant {
        RoundLogic.revealSeeds(_state, jobId, round, droppedPeers, seeds);
    }

    /// @inheritdoc IOmniMarket
    function aggregateChunk(
        uint256 jobId,
        uint256 round,
        uint256 chunkIndex,
        bytes calldata data
    ) external nonReentrant {
        AggregateLogic.aggregateChunk(_state, jobId, round, chunkIndex, data);
    }

    /// @inheritdoc IOmniMarket
    function finalizeRound(uint256 jobId, uint256 round) external nonReentrant {
        RoundLogic.finalizeRound(_state, jobId, round, new uint32[](0));
    }

    /// @inheritdoc IOmniMarket
    function finalizeCertifiedRound(uint256 jobId, uint256 round, uint32[] calldata weights) external nonReentrant {
        RoundLogic.finalizeRound(_state, jobId, round, weights);
    }

    /// @inheritdoc IOmniMarket
    function release(address token, address account) external nonReentrant {
        uint256 amount = _state.credits[token][account];
        if (amount == 0) revert MarketNothingToRelease(token, account);
        _state.credits[token][account] = 0;
        _state.liabilities[token] -= amount;
        emit Released(token, account, amount);
        if (token == address(0)) {
            Address.sendValue(payable(account), amount);
        } else {
            IERC20(token).safeTransfer(account, amount);
        }
        Books.checkSolvent(_state, token);
    }

    /// @inheritdoc IOmniMarket
    function phase(uint256 jobId) external view returns (Phase) {
        return RoundState.phase(_state, jobId, new uint256[][](0));
    }

    /// @inheritdoc IOmniMarket
    function jobCount() external view returns (uint256) {
        return _state.jobCount;
    }

    /// @inheritdoc IOmniMarket
    function jobParams(uint256 jobId) external view returns (JobParams memory) {
        return RoundState.job(_state, jobId).params;
    }

    /// @inheritdoc IOmniMarket
    function jobInfo(uint256 jobId) external view returns (JobInfo memory) {
        MarketStorage.Job storage j = RoundState.job(_state, jobId);
        return
            JobInfo({
                owner: j.owner,
                wordCount: j.wordCount,
                chunkWords: j.chunkWords,
                chunkCount: j.chunkCount,
                createdAt: j.createdAt,
                joinDeadline: j.createdAt + j.params.joinDuration,
                wordsPosted: j.wordsPosted,
                modelHash: j.modelHash,
                joined: j.joined,
                round: _state.rounds[jobId].index,
                slashedMembers: j.slashedMembers,
                absentMembers: j.absentMembers,
                closed: j.closed
            });
    }

    /// @inheritdoc IOmniMarket
    function jobBooks(uint256 jobId) external view returns (JobBooks memory) {
        return RoundState.job(_state, jobId).books;
    }

    /// @inheritdoc IOmniMarket
    function member(uint256 jobId, uint256 index) external view returns (address account, uint256 pkX, uint256 pkY) {
        MarketStorage.Member storage m = _state.roster[jobId][index];
        return (m.account, m.pkX, m.pkY);
    }

    /// @inheritdoc IOmniMarket
    function memberIndex(uint256 jobId, address account) external view returns (uint256) {
        return RoundState.rosterIndex(_state, jobId, account);
    }

    /// @inheritdoc IOmniMarket
    function roundInfo(uint256 jobId) external view returns (RoundInfo memory info) {
        MarketStorage.Job storage j = RoundState.job(_state, jobId);
        MarketStorage.Round storage rd = _state.rounds[jobId];
        (uint256 c, uint256 sd, uint256 r, uint256 a) = RoundState.deadlines(j, rd);
        (info.commitDeadline, info.submitDeadline, info.revealDeadline, info.aggregateDeadline) = (
            uint64(c),
            uint64(sd),
            uint64(r),
            uint64(a)
        );
        info.index = rd.index;
        info.drawBlock = rd.drawBlock;
        info.randomness = RoundState.randomness(_state, jobId);
        info.convicted = rd.convicted;
        info.members = rd.members;
        info.committed = rd.committed;
        info.submitted = rd.submitted;
        info.revealed = rd.revealed;
        info.contradicted = rd.contradicted;
        info.openedAt = rd.openedAt;
        info.requiredReveals = uint32(RoundState.requiredReveals(_state, jobId, RoundState.groups(_state, jobId)));
        info.chunksAggregated = rd.chunksAggregated;
        info.aggregateHash = rd.aggregateHash;
        info.excludedGroups = rd.excludedGroups;
    }

    /// @inheritdoc IOmniMarket
    function groups(uint256 jobId) external view returns (uint256[][] memory) {
        RoundState.job(_state, jobId);
        // Not drawn yet (this view runs in the draw block itself): no groups rather than wrong ones.
        if (RoundState.randomness(_state, jobId) == 0) return new uint256[][](0);
        return RoundState.groups(_state, jobId);
    }

    /// @inheritdoc IOmniMarket
    function commitment(uint256 jobId, uint256 memberIndex_, uint256 peer) external view returns (bytes32) {
        // Commitment slots are reused across rounds: one the member has not rewritten this round is stale.
        if ((_state.rounds[jobId].committed >> memberIndex_) & 1 == 0) return bytes32(0);
        uint256[][] memory gs = RoundState.groups(_state, jobId);
        (uint256 k, uint256 pos) = RoundState.locate(gs, memberIndex_);
        if (k == gs.length) return bytes32(0);
        for (uint256 q = 0; q < gs[k].length; ++q) {
            if (gs[k][q] == peer && q != pos) return _state.commitments[jobId][memberIndex_][RoundState.peerSlot(pos, q)];
        }
        return bytes32(0);
    }

    /// @inheritdoc IOmniMarket
    function activePeers(uint256 jobId, uint256 memberIndex_) external view returns (uint256) {
        if ((_state.rounds[jobId].committed >> memberIndex_) & 1 == 0) return 0;
        return _state.activePeers[jobId][memberIndex_];
    }

    /// @inheritdoc IOmniMarket
    function chunksSubmitted(uint256 jobId, uint256 memberIndex_) external view returns (uint256) {
        MarketStorage.MemberRound storage mr = _state.memberRounds[jobId][memberIndex_];
        return mr.roundTag == _state.rounds[jobId].index + 1 ? mr.chunks : 0;
    }

    /// @inheritdoc IOmniMarket
    function groupDistance(uint256 jobId, uint256 group) external view returns (uint256) {
        return _state.distances[jobId][group];
    }

    /// @inheritdoc IOmniMarket
    function groupDot(uint256 jobId, uint256 group) external view returns (int256) {
        return _state.dots[jobId][group];
    }

    /// @inheritdoc IOmniMarket
    function roundResult(uint256 jobId, uint256 round) external view returns (RoundResult memory) {
        return _state.results[jobId][round];
    }

    /// @inheritdoc IOmniMarket
    function roundGram(uint256 jobId) external view returns (uint256 counted, int256[] memory gram) {
        RoundState.job(_state, jobId);
        MarketStorage.Round storage rd = _state.rounds[jobId];
        counted = uint256(rd.eligibleGroups) & ~uint256(rd.excludedGroups);
        gram = GeoMedian.gramOf(_state, jobId, counted);
    }

    /// @inheritdoc IOmniMarket
    function memberRecord(uint256 jobId, uint256 index) external view returns (MemberRecord memory) {
        RoundState.job(_state, jobId);
        return _state.records[jobId][index];
    }

    /// @inheritdoc IOmniMarket
    function releasable(address token, address account) external view returns (uint256) {
        return _state.credits[token][account];
    }

    /// @inheritdoc IOmniMarket
    function chunkWordsFor(uint256 numDOs, uint256 groupSize, Rule rule) external pure returns (uint256) {
        return ChunkSizing.chunkWords(numDOs, groupSize, rule);
    }
}
