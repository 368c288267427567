// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MaskPRG: the pair-mask keccak counter stream
/// @notice `mask[w] = keccak256(abi.encode(seed, w))` for global word index w; lane t is mask element 8w + t.
library MaskPRG {
    /// @dev Mask word `w` of the pair with seed `seed`. Uses the scratch space, so no memory is allocated.
    function word(bytes32 seed, uint256 w) internal pure returns (uint256 mask) {
        assembly ("memory-safe") {
            mstore(0x00, seed)
            mstore(0x20, w)
            mask := keccak256(0x00, 0x40)
        }
    }
}
