// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Rule} from "../types/MarketTypes.sol";

/// @title ChunkSizing: how many words one aggregateChunk may carry (docs/CONTRACTS.md, gas model)
/// @notice An aggregation transaction carries every eligible submitter's copy of one chunk: at most n·C
/// words of calldata. Its gas is bounded per word by the larger of the EIP-7623 floor (40 gas per
/// non-zero byte: 1280 per word copy) and standard calldata (16 per byte: 512 per word copy) plus
/// execution, and per chunk by a fixed part. Execution is bounded with worst cases: every submitter's
/// word is summed, every pair between a submitter and a dropped member needs a mask word (at most
/// n·S/4 pairs, S the largest group any round can have), each of the e ≤ n/g group sums (e ≤ 42, as
/// n ≤ 128 and g ≥ 3) is kept in memory and its squared norm added for the norm bound, each mean is
/// computed, sorted per lane (binary insertion sort) and its distance and dot
/// product with the aggregate accumulated. The constants are rounded estimates, not each a bound: at
/// e = 42 copying and ruling one lane of descending means (the most shifts) costs about 800 gas per
/// value under the median and 1,090 under a trimmed mean that sums all 42, against RULE_PER_VALUE =
/// 1000, and the other terms' margins cover the difference. test/contracts/gas.test.ts measures the
/// heaviest chunks (n = 128 with g = 3 under both rules, and g = 16 with 512 mask pairs). The bound
/// covers chunk 0, the heaviest of a round (later chunks read the phase and eligibility chunk 0 stored).
/// C is the largest size that keeps the bound under BUDGET, itself 1.78M gas under the EIP-7825 cap.
library ChunkSizing {
    uint256 internal constant BUDGET = 15_000_000;
    uint256 internal constant FLOOR_PER_WORD_COPY = 1280; // 32 bytes · 40 gas (EIP-7623 floor)
    uint256 internal constant CALLDATA_PER_WORD_COPY = 512; // 32 bytes · 16 gas
    uint256 internal constant SUM_PER_WORD_COPY = 200; // calldata load + SWAR add
    uint256 internal constant MASK_PER_PAIR_WORD = 400; // keccak mask word + SWAR add/sub
    uint256 internal constant GROUP_PER_WORD = 1800; // 8 lane squares for the bound, the sum kept, 8 means, distances, dots
    uint256 internal constant RULE_PER_VALUE = 1000; // per lane and group mean: sort and rule
    uint256 internal constant RULE_PER_LANE = 1000; // per lane: copy, call, pick
    uint256 internal constant WORD_FIXED = 3000; // output word, event data, loop
    uint256 internal constant CHUNK_FIXED = 250_000; // 21000 base, phase and groups, hash chain, counters
    uint256 internal constant PER_MEMBER = 10_000; // per slice: cold hash slot, slice hash, group build
    uint256 internal constant PER_PAIR = 3_000; // per mask pair: cold seed slot
    uint256 internal constant PER_GROUP = 75_000; // per group: fresh distance, dot and norm slots, eligibility
    uint256 internal constant GRAM_PER_PAIR_WORD = 1000; // geometric median, per pair of groups and word: 8 products
    uint256 internal constant GRAM_SLOT = 25_000; // geometric median, per pair of groups: a fresh Gram slot

    /// @dev Whether the rule works on whole vectors from the chunks' Gram matrix of the group means (geometric
    /// median, Multi-Krum) rather than lane by lane.
    function usesGram(Rule rule) internal pure returns (bool) {
        return rule == Rule.GeometricMedian || rule == Rule.MultiKrum;
    }

    /// @dev The chunk size for n DOs and group size g (3 <= g <= n <= 128) under `rule`: at least 1, except for
    /// the largest groups at n >= 126 (n = 128: g >= 62), where it is 0 and createJob refuses the job. Under the
    /// geometric median no rule runs per lane; instead each word adds the e(e+1)/2 Gram products of the group
    /// means and the chunk writes as many Gram slots (measured at e = 16: about 213,000 gas per word and
    /// 3.5M per chunk against the 226,000 and 5.5M these constants give).
    function chunkWords(uint256 n, uint256 g, Rule rule) internal pure returns (uint256) {
        uint256 groups = n / g;
        uint256 pairs = (n * maxGroupSize(n, g)) / 4;
        uint256 gramPairs = usesGram(rule) ? (groups * (groups + 1)) / 2 : 0;
        uint256 fixedGas = CHUNK_FIXED + n * PER_MEMBER + pairs * PER_PAIR + groups * PER_GROUP + gramPairs * GRAM_SLOT;
        // Only the Gram slots (geometric median, Multi-Krum) can exceed the budget (over 16 groups, which it refuses anyway).
        if (fixedGas >= BUDGET) return 0;
        return (BUDGET - fixedGas) / _perWord(n, groups, pairs, gramPairs);
    }

    /// @dev Gas per word of the chunk: the larger of the calldata floor and standard calldata plus execution;
    /// `gramPairs` is 0 for the per-lane rules, else the geometric median's pairs of groups (at least 1).
    function _perWord(uint256 n, uint256 groups, uint256 pairs, uint256 gramPairs) private pure returns (uint256) {
        uint256 ruling = gramPairs == 0 ? 8 * (groups * RULE_PER_VALUE + RULE_PER_LANE) : gramPairs * GRAM_PER_PAIR_WORD;
        uint256 exec = n * SUM_PER_WORD_COPY + pairs * MASK_PER_PAIR_WORD + groups * GROUP_PER_WORD + ruling + WORD_FIXED;
        uint256 standard = n * CALLDATA_PER_WORD_COPY + exec;
        uint256 floor = n * FLOOR_PER_WORD_COPY;
        return standard > floor ? standard : floor;
    }

    /// @dev The largest group any round can have: with a members and m = a / g groups the largest group
    /// holds ceil(a / m) members, maximal at a = 2g − 1 (one group), so min(n, 2g − 1).
    function maxGroupSize(uint256 n, uint256 g) internal pure returns (uint256) {
        return n < 2 * g - 1 ? n : 2 * g - 1;
    }
}
