// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Sort} from "./Sort.sol";

/// @title MultiKrum: the counted group means with the lowest Krum scores, chosen from their Gram matrix
/// @notice Multi-Krum (Blanchard, El Mhamdi, Guerraoui and Stainer, NeurIPS 2017) over e group means, f =
/// ⌊(e − 3) / 2⌋ of them presumed bad (so e > 2f + 2): each mean's score is the sum of its squared distances to
/// its e − f − 2 nearest others, ‖mean_k − mean_l‖² = G_kk + G_ll − 2·G_kl exactly from the chunks' Gram matrix,
/// and the e − f means of lowest score (ties to the lower group index) get weight 1, the others 0. The
/// aggregate is then their mean, lane by lane as under the geometric median (IOmniMarket.GroupMeansComputed).
/// Nothing is proposed, so nothing is certified: finalizeRound computes the choice itself.
library MultiKrum {
    /// @dev The groups presumed bad among `e` counted ones: ⌊(e − 3) / 2⌋ (0 below 3).
    function presumedBad(uint256 e) internal pure returns (uint256) {
        return e < 3 ? 0 : (e - 3) / 2;
    }

    /// @dev The weights (1 chosen, 0 not) of the e means of the e × e Gram matrix `g` (row-major). Magnitudes:
    /// |G_kl| < 2^83, so a distance is below 2^85 and a score below 2^89.
    function select(int256[] memory g, uint256 e) internal pure returns (uint32[] memory w) {
        uint256 f = presumedBad(e);
        uint256 neighbours = e - f - 2;
        uint256[] memory score = new uint256[](e);
        uint256[] memory d = new uint256[](e - 1);
        for (uint256 k = 0; k < e; ++k) {
            uint256 q;
            for (uint256 m = 0; m < e; ++m) {
                // A squared distance between integer vectors: exact and never negative.
                if (m != k) d[q++] = uint256(g[k * e + k] + g[m * e + m] - 2 * g[k * e + m]);
            }
            Sort.sort(d);
            for (uint256 t = 0; t < neighbours; ++t) {
                score[k] += d[t];
            }
        }
        w = new uint32[](e);
        for (uint256 k = 0; k < e; ++k) {
            uint256 rank;
            for (uint256 m = 0; m < e; ++m) {
                if (score[m] < score[k] || (score[m] == score[k] && m < k)) ++rank;
            }
            if (rank < e - f) w[k] = 1;
        }
    }
}
