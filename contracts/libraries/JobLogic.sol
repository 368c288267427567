// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../interfaces/IOmniMarket.sol";
import {JobParams, JobBooks, Phase, Rule} from "../types/MarketTypes.sol";
import {MarketStorage} from "./MarketStorage.sol";
import {RoundState} from "./RoundState.sol";
import {Books} from "./Books.sol";
import {ChunkSizing} from "./ChunkSizing.sol";
import {BabyJubjub} from "./BabyJubjub.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";
import {Windows} from "./Windows.sol";

/// @title JobLogic: creating, publishing, joining and cancelling jobs (linked library)
library JobLogic {
    uint256 internal constant MAX_DOS = 128;
    uint256 internal constant MIN_GROUP_SIZE = 3;
    uint256 internal constant MAX_ROUNDS = 1000;
    uint256 internal constant MAX_PARAMS = 1 << 21;
    uint256 internal constant MAX_DURATION = 365 days;
    uint256 internal constant MAX_SCALE_BITS = 30;

    /// @dev See IOmniMarket.createJob; `value` is msg.value.
    function createJob(
        MarketStorage.State storage self,
        JobParams calldata params,
        uint256 value
    ) external returns (uint256 jobId) {
        _validate(params);
        uint256 words = (uint256(params.paramCount) + 7) / 8;
        uint256 chunkWords = ChunkSizing.chunkWords(params.numDOs, params.groupSize, params.rule);
        // Large groups allow so many submitter–dropout mask pairs that no chunk fits one transaction.
        _check(chunkWords != 0, "groupSize", params.groupSize);
        uint256 chunks = (words + chunkWords - 1) / chunkWords;
        // Every round's aggregation work is bounded, and paid for by the budget.
        _check(chunks <= Windows.MAX_CHUNKS, "paramCount", params.paramCount);
        _validateWindows(params, words, chunks);
        uint256 budget = uint256(params.rounds) *
            (uint256(params.numDOs) * params.rewardPerRound + (chunks + 1) * params.aggregationFee);
        jobId = ++self.jobCount;
        MarketStorage.Job storage j = self.jobs[jobId];
        j.params = params;
        j.owner = msg.sender;
        j.wordCount = uint32(words);
        j.chunkWords = uint32(chunkWords);
        j.chunkCount = uint32(chunks);
        j.createdAt = uint64(block.timestamp);
        j.books.budget = budget;
        emit IOmniMarket.JobCreated(jobId, msg.sender, params.token, params.taskTag, budget, chunkWords);
        Books.pull(self, params.token, msg.sender, budget, value);
    }

    /// @dev See IOmniMarket.publishModel.
    function publishModel(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 firstWord,
        bytes calldata words
    ) external {
        MarketStorage.Job storage j = RoundState.job(self, jobId);
        if (msg.sender != j.owner) revert IOmniMarket.MarketNotOwner(jobId, msg.sender);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Publishing);
        if (firstWord != j.wordsPosted) revert IOmniMarket.MarketUnexpectedWord(jobId, j.wordsPosted, firstWord);
        uint256 count = words.length / 32;
        if (count == 0 || words.length % 32 != 0 || firstWord + count > j.wordCount) {
            revert IOmniMarket.MarketInvalidWordsLength(jobId, words.length);
        }
        bytes32 chunkHash = keccak256(words);
        bytes32 modelHash = keccak256(abi.encodePacked(j.modelHash, chunkHash));
        j.modelHash = modelHash;
        j.wordsPosted = uint32(firstWord + count);
        emit IOmniMarket.ModelPublished(jobId, firstWord, count, chunkHash, modelHash);
    }

    /// @dev See IOmniMarket.join; `value` is msg.value.
    function join(MarketStorage.State storage self, uint256 jobId, uint256 pkX, uint256 pkY, uint256 value) external {
        MarketStorage.Job storage j = RoundState.job(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Joining);
        if (self.memberIndex[jobId][msg.sender] != 0) revert IOmniMarket.MarketAlreadyJoined(jobId, msg.sender);
        if (!BabyJubjub.isValidPublicKey(pkX, pkY)) revert IOmniMarket.MarketInvalidKey(pkX, pkY);
        uint256 index = j.joined;
        self.roster[jobId][index] = MarketStorage.Member({account: msg.sender, pkX: pkX, pkY: pkY});
        self.memberIndex[jobId][msg.sender] = index + 1;
        j.joined = uint32(index + 1);
        j.books.stakes += j.params.stake;
        emit IOmniMarket.Joined(jobId, msg.sender, index, pkX, pkY);
        // The sealing join opens round 0; its groups are drawn from this block's hash.
        if (index + 1 == j.params.numDOs) RoundState.open(self, jobId, 0);
        Books.pull(self, j.params.token, msg.sender, j.params.stake, value);
    }

    /// @dev See IOmniMarket.cancel.
    function cancel(MarketStorage.State storage self, uint256 jobId) external {
        MarketStorage.Job storage j = RoundState.job(self, jobId);
        RoundState.expectPhase(jobId, RoundState.phase(self, jobId, new uint256[][](0)), Phase.Cancelled);
        if (j.closed) revert IOmniMarket.MarketAlreadySettled(jobId);
        JobBooks memory books = Books.settle(self, jobId);
        emit IOmniMarket.JobCancelled(jobId, books.refunded, books.stakesReturned);
    }

    function _validate(JobParams calldata p) private view {
        _check(p.numDOs >= MIN_GROUP_SIZE && p.numDOs <= MAX_DOS, "numDOs", p.numDOs);
        _check(p.groupSize >= MIN_GROUP_SIZE && p.groupSize <= p.numDOs, "groupSize", p.groupSize);
        _check(p.rounds >= 1 && p.rounds <= MAX_ROUNDS, "rounds", p.rounds);
        _check(p.paramCount >= 1 && p.paramCount <= MAX_PARAMS, "paramCount", p.paramCount);
        _check(p.rewardPerRound != 0, "rewardPerRound", p.rewardPerRound);
        _check(p.stake != 0, "stake", p.stake);
        _check(p.joinDuration != 0 && p.joinDuration <= MAX_DURATION, "joinDuration", p.joinDuration);
        _check(p.commitDuration != 0 && p.commitDuration <= MAX_DURATION, "commitDuration", p.commitDuration);
        _check(p.submitDuration != 0 && p.submitDuration <= MAX_DURATION, "submitDuration", p.submitDuration);
        _check(p.revealDuration != 0 && p.revealDuration <= MAX_DURATION, "revealDuration", p.revealDuration);
        _check(p.aggregateDuration <= MAX_DURATION, "aggregateDuration", p.aggregateDuration);
        _check(p.trimBps < ProtocolConstants.MAX_TRIM_BPS, "trimBps", p.trimBps);
        // A trimmed mean that trims nothing is a mean, which one group steers.
        _check(p.rule != Rule.TrimmedMean || p.trimBps != 0, "trimBps", p.trimBps);
        // The geometric median and Multi-Krum keep a Gram entry per pair of groups and work on it in O(e²).
        _check(
            !ChunkSizing.usesGram(p.rule) || p.numDOs / p.groupSize <= ProtocolConstants.MAX_GRAM_GROUPS,
            "numDOs",
            p.numDOs
        );
        uint256 needed = RoundState.minEligibleGroups(p.rule, p.trimBps);
        if (p.numDOs / p.groupSize < needed) revert IOmniMarket.MarketTooFewGroups(p.numDOs / p.groupSize, needed);
        _check(p.outlierFactorBps >= ProtocolConstants.BPS, "outlierFactorBps", p.outlierFactorBps);
        _check(p.minProjectionBps <= ProtocolConstants.BPS, "minProjectionBps", p.minProjectionBps);
        _check(p.scaleBits <= MAX_SCALE_BITS, "scaleBits", p.scaleBits);
        // No honest group sum may wrap past int32: maxGroupSize · (clipNormQ + 1) < 2^31.
        uint256 maxGroup = ChunkSizing.maxGroupSize(p.numDOs, p.groupSize);
        _check(p.clipNormQ != 0 && maxGroup * (uint256(p.clipNormQ) + 1) < 1 << 31, "clipNormQ", p.clipNormQ);
        _check(p.token == address(0) || p.token.code.length != 0, "token", uint160(p.token));
    }

    /// @dev Every window at least its floor (Windows), so a prompt member can always act in it.
    function _validateWindows(JobParams calldata p, uint256 words, uint256 chunks) private pure {
        uint256 maxGroup = ChunkSizing.maxGroupSize(p.numDOs, p.groupSize);
        _window("joinDuration", p.joinDuration, Windows.joinFloor(p.numDOs, words));
        _window("commitDuration", p.commitDuration, Windows.commitFloor(p.numDOs, maxGroup));
        _window("submitDuration", p.submitDuration, Windows.submitFloor(p.numDOs, maxGroup, words, chunks));
        _window("revealDuration", p.revealDuration, Windows.revealFloor(p.numDOs, maxGroup));
        _window("aggregateDuration", p.aggregateDuration, Windows.aggregateFloor(chunks));
    }

    function _window(string memory name, uint256 value, uint256 floor) private pure {
        if (value < floor) revert IOmniMarket.MarketWindowTooShort(name, value, floor);
    }

    function _check(bool ok, string memory name, uint256 value) private pure {
        if (!ok) revert IOmniMarket.MarketInvalidParameter(name, value);
    }
}
