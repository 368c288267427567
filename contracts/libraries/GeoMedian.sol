// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {MarketStorage} from "./MarketStorage.sol";
import {RoundState} from "./RoundState.sol";
import {ProtocolConstants} from "./ProtocolConstants.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title GeoMedian: the geometric median of the counted group means, checked through a certificate
/// @notice The contract cannot run Weiszfeld's algorithm, but it can check its output. The chunks accumulate
/// the Gram matrix G_kl = Σ mean_k · mean_l of the counted groups (exact integers); the aggregator proposes
/// weights w_k ≥ 0 (W = Σ w_k > 0) and so the candidate z = Σ w_k · mean_k / W. Everything the check needs is
/// a quadratic form in G: with a = G·w and Q = wᵀ·G·w, P_kl = W²·G_kl − W·a_k − W·a_l + Q is the exact inner
/// product of W·mean_k − W·z and W·mean_l − W·z, and D_k = P_kk. With Z the groups at z (D_k = 0) and
/// s_k = floor(√D_k) for the others, the squared norm of Σ_{k∉Z} (mean_k − z) / ‖mean_k − z‖, in units of 2^-64,
/// is g² = Σ_{k,l∉Z} trunc(P_kl · 2^64 / (s_k · s_l)); z is accepted when 100 · g² ≤ (10 · |Z| + 1)² · 2^64, that
/// is when the subgradient condition of the geometric median holds to within τ = 1/10 (Weiszfeld, 1937;
/// Vardi and Zhang, PNAS 2000; docs/AGGREGATION.md "The geometric-median certificate").
library GeoMedian {
    /// @dev The fixed point of the certificate's cosines.
    uint256 internal constant ONE = 1 << 64;

    /// @dev What the certificate yields besides its verdict: the figures the inlier test scores.
    struct Certificate {
        bool accepted;
        uint256 gradientSq; // g² (0 when the truncated sum is negative)
        uint256 limitSq; // floor((10 · |Z| + 1)² · 2^64 / 100), for the error message
        uint256[] dists; // per counted group: floor(D_k / W²) = floor(‖mean_k − z‖²)
        int256[] dots; // per counted group: trunc(a_k / W) = trunc(mean_k · z)
        uint256 aggNorm; // floor(Q / W²) = floor(‖z‖²)
    }

    /// @dev The storage key of the Gram entry of groups k ≤ m.
    function pair(uint256 k, uint256 m) internal pure returns (uint256) {
        return k * 64 + m;
    }

    /// @dev The stored Gram matrix over the groups of bitmap `counted`, e × e row-major, ascending group index.
    function gramOf(
        MarketStorage.State storage self,
        uint256 jobId,
        uint256 counted
    ) internal view returns (int256[] memory g) {
        uint256 e = RoundState.popcount(counted);
        uint256[] memory index = new uint256[](e);
        uint256 q;
        for (uint256 k = 0; q < e; ++k) {
            if ((counted >> k) & 1 == 1) index[q++] = k;
        }
        g = new int256[](e * e);
        mapping(uint256 => int256) storage gram = self.gram[jobId];
        for (uint256 u = 0; u < e; ++u) {
            for (uint256 v = u; v < e; ++v) {
                int256 x = gram[pair(index[u], index[v])];
                g[u * e + v] = x;
                g[v * e + u] = x;
            }
        }
    }

    /// @dev Checks the weights `w` (one per group of the e × e Gram matrix `g`, Σ w > 0) as a geometric-median
    /// certificate. Magnitudes: |G_kl| < 2^83 (at most 2^21 + 7 lanes of int32 products), W < 2^36, so
    /// |a_k| < 2^119, every term of P below 2^155, |P| < 2^157, and P · 2^64 < 2^221: no intermediate wraps.
    function certify(int256[] memory g, uint32[] memory w) internal pure returns (Certificate memory c) {
        uint256 e = w.length;
        (int256[] memory a, int256 quad, int256 total) = _forms(g, w);
        int256 total2 = total * total;
        uint256[] memory s = new uint256[](e);
        uint256 zeros;
        c.dists = new uint256[](e);
        c.dots = new int256[](e);
        for (uint256 k = 0; k < e; ++k) {
            // D_k = ‖W·mean_k − W·z‖² exactly, so never negative.
            uint256 d = uint256(total2 * g[k * e + k] - 2 * total * a[k] + quad);
            c.dists[k] = d / uint256(total2);
            c.dots[k] = a[k] / total;
            if (d == 0) ++zeros;
            else s[k] = Math.sqrt(d);
        }
        c.aggNorm = uint256(quad) / uint256(total2);
        int256 sq = _gradientSq(g, a, s, quad, total);
        uint256 inv = ProtocolConstants.GEOMEDIAN_TOLERANCE_INV;
        uint256 limit = zeros * inv + 1;
        c.gradientSq = sq > 0 ? uint256(sq) : 0;
        c.limitSq = (limit * limit * ONE) / (inv * inv);
        c.accepted = c.gradientSq * inv * inv <= limit * limit * ONE;
    }

    /// @dev W = Σ w, a = G·w and Q = wᵀ·G·w.
    function _forms(
        int256[] memory g,
        uint32[] memory w
    ) private pure returns (int256[] memory a, int256 quad, int256 total) {
        uint256 e = w.length;
        a = new int256[](e);
        for (uint256 k = 0; k < e; ++k) {
            int256 row;
            for (uint256 m = 0; m < e; ++m) {
                row += int256(uint256(w[m])) * g[k * e + m];
            }
            a[k] = row;
            quad += int256(uint256(w[k])) * row;
            total += int256(uint256(w[k]));
        }
    }

    /// @dev g² = Σ_{k,l ∉ Z} trunc(P_kl · 2^64 / (s_k · s_l)), s_k = 0 marking the groups of Z.
    function _gradientSq(
        int256[] memory g,
        int256[] memory a,
        uint256[] memory s,
        int256 quad,
        int256 total
    ) private pure returns (int256 sq) {
        uint256 e = s.length;
        for (uint256 k = 0; k < e; ++k) {
            if (s[k] == 0) continue;
            for (uint256 m = k; m < e; ++m) {
                if (s[m] == 0) continue;
                int256 p = total * total * g[k * e + m] - total * (a[k] + a[m]) + quad;
                int256 term = (p * int256(ONE)) / int256(s[k] * s[m]);
                sq += m == k ? term : 2 * term;
            }
        }
    }
}
