// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Rule} from "../types/MarketTypes.sol";
import {Sort} from "./Sort.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";

/// @title RobustRules: median and trimmed mean over a small set of group means
/// @notice Coordinate-wise median and trimmed mean (Yin et al., "Byzantine-Robust Distributed Learning:
/// Towards Optimal Statistical Rates", ICML 2018), exactly as docs/PROTOCOL.md fixes them: integer
/// results truncated toward zero.
library RobustRules {
    /// @dev Applies `rule` to `v` (non-empty); sorts `v` in place.
    function aggregate(Rule rule, uint256 trimBps, int256[] memory v) internal pure returns (int256) {
        Sort.sort(v);
        return rule == Rule.Median ? medianOfSorted(v) : trimmedMeanOfSorted(v, trimBps);
    }

    /// @dev Median of an ascending array: middle value, or the mean of the two middle values truncated
    /// toward zero. Operands are below 2^254 in magnitude here, so the sum cannot overflow.
    function medianOfSorted(int256[] memory v) internal pure returns (int256) {
        uint256 e = v.length;
        if (e % 2 == 1) return v[(e - 1) / 2];
        return (v[e / 2 - 1] + v[e / 2]) / 2;
    }

    /// @dev Mean of `v[b .. e-b-1]` truncated toward zero, b = floor(e · trimBps / BPS), trimBps < MAX_TRIM_BPS.
    function trimmedMeanOfSorted(int256[] memory v, uint256 trimBps) internal pure returns (int256) {
        uint256 e = v.length;
        uint256 b = (e * trimBps) / ProtocolConstants.BPS;
        int256 sum;
        for (uint256 i = b; i < e - b; ++i) {
            sum += v[i];
        }
        return sum / int256(e - 2 * b);
    }

    /// @dev Inliers among eligible groups (distances, |dots| and aggNorm each below 2^200): bit q of `mask`
    /// is set when BPS · dists[q] ≤ factorBps · median(dists), the median taken by the median rule, and,
    /// unless minProjectionBps is 0, BPS · dots[q] ≥ minProjectionBps · aggNorm.
    function inliers(
        uint256[] memory dists,
        int256[] memory dots,
        uint256 aggNorm,
        uint256 factorBps,
        uint256 minProjectionBps
    ) internal pure returns (uint256 mask, uint256 median) {
        int256[] memory sorted = new int256[](dists.length);
        for (uint256 q = 0; q < dists.length; ++q) {
            sorted[q] = int256(dists[q]);
        }
        Sort.sort(sorted);
        median = uint256(medianOfSorted(sorted));
        int256 bound = int256(minProjectionBps) * int256(aggNorm);
        for (uint256 q = 0; q < dists.length; ++q) {
            bool near = ProtocolConstants.BPS * dists[q] <= factorBps * median;
            bool aligned = minProjectionBps == 0 || int256(ProtocolConstants.BPS) * dots[q] >= bound;
            if (near && aligned) mask |= uint256(1) << q;
        }
    }
}
