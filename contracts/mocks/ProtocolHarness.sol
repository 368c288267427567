// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Rule} from "../types/MarketTypes.sol";
import {Packed32} from "../libraries/Packed32.sol";
import {MaskPRG} from "../libraries/MaskPRG.sol";
import {SeedCommitment} from "../libraries/SeedCommitment.sol";
import {GroupAssignment} from "../libraries/GroupAssignment.sol";
import {RobustRules} from "../libraries/RobustRules.sol";
import {BabyJubjub} from "../libraries/BabyJubjub.sol";
import {ChunkSizing} from "../libraries/ChunkSizing.sol";
import {GeoMedian} from "../libraries/GeoMedian.sol";
import {MultiKrum} from "../libraries/MultiKrum.sol";

/// @title ProtocolHarness: the market's protocol libraries as pure functions, for cross-language vectors
contract ProtocolHarness {
    /// @notice Packs uint32 values, lane 0 least significant.
    function pack(uint32[] calldata values) external pure returns (uint256[] memory) {
        return Packed32.pack(values);
    }

    /// @notice Lane-wise a + b mod 2^32.
    function add(uint256 a, uint256 b) external pure returns (uint256) {
        return Packed32.add(a, b);
    }

    /// @notice Lane-wise a − b mod 2^32.
    function sub(uint256 a, uint256 b) external pure returns (uint256) {
        return Packed32.sub(a, b);
    }

    /// @notice Mask words [firstWord, firstWord + count) of a pair seed.
    function maskWords(bytes32 seed, uint256 firstWord, uint256 count) external pure returns (uint256[] memory words) {
        words = new uint256[](count);
        for (uint256 w = 0; w < count; ++w) {
            words[w] = MaskPRG.word(seed, firstWord + w);
        }
    }

    /// @notice The seed commitment for an explicit chain id and market address.
    function seedCommitment(
        uint256 chainId,
        address market,
        uint256 jobId,
        uint256 round,
        uint256 lo,
        uint256 hi,
        bytes32 seed
    ) external pure returns (bytes32) {
        return SeedCommitment.compute(chainId, market, jobId, round, lo, hi, seed);
    }

    /// @notice Groups of `active` for `randomness` and group size `groupSize`.
    function assignGroups(
        bytes32 randomness,
        uint256[] calldata active,
        uint256 groupSize
    ) external pure returns (uint256[][] memory) {
        return GroupAssignment.assign(randomness, active, groupSize);
    }

    /// @notice The rule applied to `values` (in memory: the rule sorts them in place).
    // solhint-disable-next-line gas-calldata-parameters
    function applyRule(Rule rule, uint256 trimBps, int256[] memory values) external pure returns (int256) {
        return RobustRules.aggregate(rule, trimBps, values);
    }

    /// @notice Inlier bitmap and median of squared distances, with the projection test on `dots`.
    function inliers(
        uint256[] calldata dists,
        int256[] calldata dots,
        uint256 aggNorm,
        uint256 factorBps,
        uint256 minProjectionBps
    ) external pure returns (uint256 mask, uint256 median) {
        return RobustRules.inliers(dists, dots, aggNorm, factorBps, minProjectionBps);
    }

    /// @notice Whether (x, y) is an acceptable Baby Jubjub public key.
    function isValidPublicKey(uint256 x, uint256 y) external pure returns (bool) {
        return BabyJubjub.isValidPublicKey(x, y);
    }

    /// @notice Gas used by a public-key validation (for the gas report).
    function keyCheckGas(uint256 x, uint256 y) external view returns (uint256 used) {
        used = gasleft();
        BabyJubjub.isValidPublicKey(x, y);
        used -= gasleft();
    }

    /// @notice s1·P1 + s2·P2 on Baby Jubjub, projective.
    function babyJubMulAdd(
        uint256 x1,
        uint256 y1,
        uint256 s1,
        uint256 x2,
        uint256 y2,
        uint256 s2
    ) external pure returns (uint256 x, uint256 y, uint256 z) {
        return BabyJubjub.mulAdd(x1, y1, s1, x2, y2, s2);
    }

    /// @notice scalar·P on Baby Jubjub, projective.
    function babyJubMul(uint256 x, uint256 y, uint256 scalar) external pure returns (uint256, uint256, uint256) {
        return BabyJubjub.mul(x, y, scalar);
    }

    /// @notice Whether two projective Baby Jubjub points are equal.
    function babyJubEq(uint256[3] calldata a, uint256[3] calldata b) external pure returns (bool) {
        return BabyJubjub.eq(a[0], a[1], a[2], b[0], b[1], b[2]);
    }

    /// @notice The largest group any round of an (n, g) job can have.
    function maxGroupSize(uint256 n, uint256 g) external pure returns (uint256) {
        return ChunkSizing.maxGroupSize(n, g);
    }

    /// @notice The geometric-median certificate check of `weights` against the e × e Gram matrix `gram`.
    function geoMedianCertificate(
        int256[] calldata gram,
        uint32[] calldata weights
    ) external pure returns (GeoMedian.Certificate memory) {
        return GeoMedian.certify(gram, weights);
    }

    /// @notice Multi-Krum's choice among the e group means of the e × e Gram matrix `gram`.
    function multiKrumWeights(int256[] calldata gram, uint256 e) external pure returns (uint32[] memory) {
        return MultiKrum.select(gram, e);
    }
}
