// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Packed32: eight uint32 lanes per uint256 word, lane t at bits [32t, 32t + 32)
/// @notice SWAR arithmetic mod 2^32 per lane: the low 31 bits of every lane are added (or subtracted)
/// with the lane's top bit masked off, so no carry (borrow) crosses a lane; the top bit is then fixed up
/// with XOR. Lanes never interact.
library Packed32 {
    uint256 private constant _HIGH = 0x8000000080000000800000008000000080000000800000008000000080000000;
    uint256 private constant _LOW = ~_HIGH;

    /// @dev Lane-wise a + b mod 2^32.
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            return ((a & _LOW) + (b & _LOW)) ^ ((a ^ b) & _HIGH);
        }
    }

    /// @dev Lane-wise a - b mod 2^32.
    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            return ((a | _HIGH) - (b & _LOW)) ^ ((a ^ ~b) & _HIGH);
        }
    }

    /// @dev Packs uint32 values into ceil(len / 8) words, unused lanes zero.
    function pack(uint32[] memory values) internal pure returns (uint256[] memory words) {
        words = new uint256[]((values.length + 7) / 8);
        for (uint256 e = 0; e < values.length; ++e) {
            words[e >> 3] |= uint256(values[e]) << ((e & 7) << 5);
        }
    }
}
