// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Sort} from "./Sort.sol";

/// @title GroupAssignment: a round's groups from its randomness (docs/PROTOCOL.md, group assignment)
/// @notice Fisher-Yates over the ascending active list with `j = keccak256(abi.encode(randomness, i)) % (i+1)`
/// for i = a−1 down to 1; with m = a / g groups, position p goes to group p % m; each group ascending.
library GroupAssignment {
    /// @dev The groups of `active` (ascending roster indices, groupSize >= 1); none if a < groupSize.
    function assign(
        bytes32 randomness,
        uint256[] memory active,
        uint256 groupSize
    ) internal pure returns (uint256[][] memory groups) {
        uint256 a = active.length;
        if (a < groupSize) return groups;
        uint256[] memory perm = new uint256[](a);
        for (uint256 p = 0; p < a; ++p) {
            perm[p] = active[p];
        }
        for (uint256 i = a - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(randomness, i))) % (i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        uint256 m = a / groupSize;
        groups = new uint256[][](m);
        for (uint256 k = 0; k < m; ++k) {
            groups[k] = new uint256[](a / m + (k < a % m ? 1 : 0));
        }
        for (uint256 p = 0; p < a; ++p) {
            groups[p % m][p / m] = perm[p];
        }
        for (uint256 k = 0; k < m; ++k) {
            Sort.sort(groups[k]);
        }
    }
}
