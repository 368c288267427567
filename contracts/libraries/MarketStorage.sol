// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {JobParams, JobBooks, MemberRecord, RoundResult} from "../types/MarketTypes.sol";

/// @title MarketStorage: the market's whole state, one struct handed to the logic libraries
/// @notice Storage is laid out for slot reuse across rounds: per-member round data is tagged with the
/// round (`MemberRound.roundTag = round + 1`) instead of being cleared, commitments and seeds are keyed by
/// the peer's slot in the member's group (0 .. size−2) and chunk hashes by chunk index, so from round 1
/// on most writes hit non-zero slots (~5k gas) instead of fresh ones (~22k gas).
library MarketStorage {
    struct Job {
        JobParams params;
        address owner;
        uint32 wordCount;
        uint32 chunkWords;
        uint32 chunkCount;
        uint64 createdAt;
        uint32 wordsPosted;
        uint32 joined;
        bool closed;
        bytes32 modelHash;
        uint256 slashedMembers; // bitmap over roster indices
        uint256 absentMembers; // bitmap over roster indices: ejected for a missed commit
        JobBooks books;
    }

    struct Round {
        uint32 index;
        uint40 openedAt;
        uint40 commitEndedAt; // set when the last member commits (0: commit phase ends at its deadline)
        uint40 submitEndedAt; // set when the last committer submits (0: submit phase ends at its deadline)
        uint8 commitCount; // counts of members: at most MAX_DOS = 128
        uint8 submitCount;
        uint8 revealCount;
        uint32 chunksAggregated;
        // Bitmap over group indices (at most MAX_DOS / MIN_GROUP_SIZE = 42 groups), written by chunk 0 and
        // read by later chunks and finalizeRound; it shares the slot with the counters above, so storing it
        // costs no fresh slot. Meaningful only while chunksAggregated != 0.
        uint48 eligibleGroups;
        bytes32 randomness; // 0 until the first commit draws it from the hash of block drawBlock
        uint64 drawBlock; // the block that opened the round
        // Bitmap over group indices: groups whose unmasked sum went over the norm bound in a chunk so far
        // (AggregateLogic); they post nothing in later chunks. Meaningful only while chunksAggregated != 0.
        uint48 excludedGroups;
        uint256 members; // bitmaps over roster indices
        uint256 committed;
        uint256 submitted;
        uint256 revealed;
        uint256 contradicted;
        uint256 convicted; // proven false committers: their groups are void this round
        bytes32 aggregateHash;
    }

    struct Member {
        address account;
        uint256 pkX;
        uint256 pkY;
    }

    struct MemberRound {
        uint32 roundTag; // round + 1 of the round `chunks` belongs to
        uint32 chunks;
    }

    struct State {
        uint256 jobCount;
        mapping(uint256 jobId => Job) jobs;
        mapping(uint256 jobId => Round) rounds;
        mapping(uint256 jobId => mapping(uint256 index => Member)) roster;
        mapping(uint256 jobId => mapping(address account => uint256 indexPlusOne)) memberIndex;
        mapping(uint256 jobId => mapping(uint256 member => MemberRound)) memberRounds;
        mapping(uint256 jobId => mapping(uint256 member => uint256 peers)) activePeers;
        mapping(uint256 jobId => mapping(uint256 member => mapping(uint256 peerSlot => bytes32))) commitments;
        mapping(uint256 jobId => mapping(uint256 member => mapping(uint256 peerSlot => bytes32))) seeds;
        mapping(uint256 jobId => mapping(uint256 member => mapping(uint256 chunk => bytes32))) chunkHashes;
        mapping(uint256 jobId => mapping(uint256 group => uint256)) distances;
        mapping(uint256 jobId => mapping(uint256 group => int256)) dots;
        mapping(uint256 jobId => uint256) aggNorms;
        mapping(uint256 jobId => mapping(uint256 group => uint256)) sumNorms; // Σ sum² over the chunks so far
        mapping(uint256 jobId => mapping(uint256 pair => int256)) gram; // geometric median: Σ mean_k · mean_l, pair k·64 + l (k ≤ l)
        mapping(uint256 jobId => mapping(uint256 round => RoundResult)) results;
        mapping(address token => mapping(address account => uint256)) credits;
        mapping(address token => uint256) liabilities; // escrow of live jobs plus unreleased credits
        mapping(uint256 jobId => mapping(uint256 member => MemberRecord)) records; // blame across rounds (Blame)
    }
}
