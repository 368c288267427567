// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Packed32} from "../../contracts/libraries/Packed32.sol";
import {Sort} from "../../contracts/libraries/Sort.sol";
import {RobustRules} from "../../contracts/libraries/RobustRules.sol";
import {GroupAssignment} from "../../contracts/libraries/GroupAssignment.sol";
import {MultiKrum} from "../../contracts/libraries/MultiKrum.sol";
import {Rule} from "../../contracts/types/MarketTypes.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Protocol} from "./utils/Protocol.sol";

/// @title LibrariesTest: the protocol libraries against their definitions in docs/PROTOCOL.md, on fuzzed inputs
contract LibrariesTest is TestBase {
    /// @notice SWAR add and sub act on each of the eight lanes alone, mod 2^32, and sub undoes add.
    function testFuzz_Packed32AddAndSubAreLaneWise(uint256 a, uint256 b) public pure {
        uint256 s = Packed32.add(a, b);
        uint256 d = Packed32.sub(a, b);
        for (uint256 t = 0; t < 8; ++t) {
            uint32 x = uint32(a >> (32 * t));
            uint32 y = uint32(b >> (32 * t));
            unchecked {
                assertEq(uint32(s >> (32 * t)), uint32(x + y), "lane sum");
                assertEq(uint32(d >> (32 * t)), uint32(x - y), "lane difference");
            }
        }
        assertEq(Packed32.sub(s, b), a, "sub undoes add");
    }

    /// @notice Element e of a packed vector is lane e % 8 of word e / 8; unused lanes of the last word are zero.
    function testFuzz_Packed32PackPutsEveryElementInItsLane(uint32[] memory values) public pure {
        if (values.length > 40) {
            assembly ("memory-safe") {
                mstore(values, 40)
            }
        }
        uint256[] memory words = Packed32.pack(values);
        assertEq(words.length, (values.length + 7) / 8, "word count");
        for (uint256 e = 0; e < 8 * words.length; ++e) {
            uint256 lane = uint32(words[e / 8] >> (32 * (e % 8)));
            assertEq(lane, e < values.length ? values[e] : 0, "lane");
        }
    }

    /// @notice Sort leaves an ascending permutation of its input.
    function testFuzz_SortOrdersAPermutation(int256[] memory v) public pure {
        if (v.length > 48) {
            assembly ("memory-safe") {
                mstore(v, 48)
            }
        }
        int256[] memory sorted = new int256[](v.length);
        for (uint256 q = 0; q < v.length; ++q) sorted[q] = v[q];
        Sort.sort(sorted);
        for (uint256 q = 1; q < v.length; ++q) assertTrue(sorted[q - 1] <= sorted[q], "not ascending");
        // Same multiset: every input value occurs as often in the output.
        for (uint256 q = 0; q < v.length; ++q) {
            uint256 inInput;
            uint256 inOutput;
            for (uint256 r = 0; r < v.length; ++r) {
                if (v[r] == v[q]) ++inInput;
                if (sorted[r] == v[q]) ++inOutput;
            }
            assertEq(inInput, inOutput, "not a permutation");
        }
    }

    /// @notice The median and the trimmed mean of int32 group means are exactly the definitions: middle value or
    /// the truncated mean of the two middle ones; the truncated mean of v[b .. e−b−1], b = floor(e·trimBps/10000).
    function testFuzz_RulesMatchTheirDefinitions(int32[] memory raw, uint256 trimBps) public pure {
        uint256 e = raw.length > 33 ? 33 : raw.length;
        vm.assume(e > 0);
        trimBps = bound(trimBps, 0, 4999);
        int256[] memory v = new int256[](e);
        for (uint256 q = 0; q < e; ++q) v[q] = raw[q];
        int256[] memory sorted = _insertionSorted(v);
        int256 median = e % 2 == 1 ? sorted[e / 2] : (sorted[e / 2 - 1] + sorted[e / 2]) / 2;
        uint256 b = (e * trimBps) / 10000;
        int256 sum;
        for (uint256 q = b; q < e - b; ++q) sum += sorted[q];
        assertEq(RobustRules.aggregate(Rule.Median, 0, _copy(v)), median, "median");
        assertEq(RobustRules.aggregate(Rule.TrimmedMean, trimBps, _copy(v)), sum / int256(e - 2 * b), "trimmed mean");
    }

    /// @notice Multi-Krum keeps e − f of e group means (f = ⌊(e − 3) / 2⌋) and never one of up to f means pushed far
    /// from the others, whatever the honest means are.
    function testFuzz_MultiKrumLeavesOutFarGroups(bytes32 seed, uint256 e, uint256 bad, uint256 far) public pure {
        e = bound(e, 5, 16);
        uint256 f = MultiKrum.presumedBad(e);
        bad = bound(bad, 0, f);
        far = bound(far, 1 << 20, 1 << 28);
        uint256 d = 4;
        int256[][] memory means = new int256[][](e);
        for (uint256 k = 0; k < e; ++k) {
            means[k] = new int256[](d);
            for (uint256 i = 0; i < d; ++i) {
                // Honest lanes within ±2^15; the first `bad` means pushed by ±far.
                int256 v = int256(uint256(keccak256(abi.encode(seed, k, i))) % (1 << 16)) - (1 << 15);
                means[k][i] = k < bad ? v + (i % 2 == 0 ? int256(far) : -int256(far)) : v;
            }
        }
        int256[] memory g = new int256[](e * e);
        for (uint256 k = 0; k < e; ++k) {
            for (uint256 l = 0; l < e; ++l) {
                for (uint256 i = 0; i < d; ++i) g[k * e + l] += means[k][i] * means[l][i];
            }
        }
        uint32[] memory w = MultiKrum.select(g, e);
        uint256 chosen;
        for (uint256 k = 0; k < e; ++k) {
            assertTrue(w[k] <= 1, "weight not 0 or 1");
            chosen += w[k];
            if (k < bad) assertEq(w[k], 0, "a far mean chosen");
        }
        assertEq(chosen, e - f, "chosen count");
    }

    /// @notice Groups partition the members: a / g groups, sizes g or more and differing by at most one, each
    /// ascending, every member exactly once.
    function testFuzz_GroupsPartitionTheMembers(bytes32 randomness, uint256 a, uint256 g) public pure {
        a = bound(a, 3, 128);
        g = bound(g, 3, a);
        uint256[] memory active = new uint256[](a);
        for (uint256 p = 0; p < a; ++p) active[p] = 2 * p + 1;
        uint256[][] memory gs = GroupAssignment.assign(randomness, active, g);
        assertEq(gs.length, a / g, "group count");
        uint256 seenBits;
        uint256 total;
        for (uint256 k = 0; k < gs.length; ++k) {
            assertTrue(gs[k].length >= g && gs[k].length <= 2 * g - 1, "group size");
            assertTrue(gs[k].length + 1 >= gs[0].length && gs[0].length + 1 >= gs[k].length, "sizes differ by more than one");
            for (uint256 p = 0; p < gs[k].length; ++p) {
                if (p > 0) assertTrue(gs[k][p - 1] < gs[k][p], "group not ascending");
                uint256 bit = uint256(1) << ((gs[k][p] - 1) / 2);
                assertTrue(seenBits & bit == 0 && gs[k][p] % 2 == 1, "member twice or unknown");
                seenBits |= bit;
            }
            total += gs[k].length;
        }
        assertEq(total, a, "members left out");
    }

    /// @notice Masking with any set of pair seeds and unmasking with the same seeds gives the word back, and the
    /// two ends of a pair add and subtract the same mask.
    function testFuzz_MaskingRoundTripsAndPairsCancel(uint256 x, uint256 y, bytes32 seed, uint256 w) public pure {
        uint256[] memory peers = new uint256[](1);
        bytes32[] memory seeds = new bytes32[](1);
        seeds[0] = seed;
        peers[0] = 5;
        uint256 low = Protocol.maskWord(x, 2, peers, seeds, w); // member 2 adds the mask of its pair with 5
        assertEq(Protocol.unmaskWord(low, 2, peers, seeds, w), x, "round trip");
        peers[0] = 2;
        uint256 high = Protocol.maskWord(y, 5, peers, seeds, w); // member 5 subtracts it
        assertEq(Packed32.add(low, high), Packed32.add(x, y), "pair masks do not cancel");
    }

    function _copy(int256[] memory v) private pure returns (int256[] memory c) {
        c = new int256[](v.length);
        for (uint256 q = 0; q < v.length; ++q) c[q] = v[q];
    }

    function _insertionSorted(int256[] memory v) private pure returns (int256[] memory s) {
        s = _copy(v);
        for (uint256 q = 1; q < s.length; ++q) {
            int256 x = s[q];
            uint256 r = q;
            while (r > 0 && s[r - 1] > x) {
                s[r] = s[r - 1];
                --r;
            }
            s[r] = x;
        }
    }
}
