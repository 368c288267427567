// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Windows: the shortest phase windows a job may ask for (docs/PROTOCOL.md, "Phase windows")
/// @notice A window must admit the work its phase waits for even when every transaction of it is sent at
/// once and blocks hold one transaction at the EIP-7825 cap each: a floor of MIN_WINDOW_BLOCKS blocks, plus
/// one block per TX_GAS_CAP of the phase's total gas, at BLOCK_SECONDS a block. The gas figures are upper
/// bounds per member (the measured costs are in .gas-snapshot): S is the largest group a round can have.
/// Aggregation is sequential (each chunk after the one before), so its window counts one block per chunk.
library Windows {
    /// @dev Seconds a block may take: Ethereum's slot. A window shorter than a few blocks could end between
    /// two blocks with no chance for a prompt member to act.
    uint256 internal constant BLOCK_SECONDS = 12;
    /// @dev Blocks every window has before the work it admits is counted.
    uint256 internal constant MIN_WINDOW_BLOCKS = 3;
    /// @dev EIP-7825: the most gas one transaction may use.
    uint256 internal constant TX_GAS_CAP = 16_777_216;
    /// @dev Most aggregation transactions (chunks) a round may need; a job that needs more is refused.
    uint256 internal constant MAX_CHUNKS = 8192;
    uint256 internal constant PUBLISH_PER_WORD = 1_300; // calldata floor (1280) and hashing
    uint256 internal constant JOIN_PER_MEMBER = 500_000; // key check, roster slot, stake
    uint256 internal constant COMMIT_PER_MEMBER = 100_000;
    uint256 internal constant COMMIT_PER_PEER = 50_000; // commitment slot, pair comparison
    uint256 internal constant SUBMIT_PER_MEMBER = 100_000;
    uint256 internal constant SUBMIT_PER_WORD = 1_300; // calldata floor (1280) and hashing
    uint256 internal constant SUBMIT_PER_CHUNK = 25_000; // chunk hash slot
    uint256 internal constant DISPUTE_PER_PEER = 1_500_000; // a disputeCommitment, sent in the submit window
    uint256 internal constant REVEAL_PER_MEMBER = 100_000;
    uint256 internal constant REVEAL_PER_PEER = 50_000; // commitment check, seed slot

    /// @dev Seconds for MIN_WINDOW_BLOCKS blocks plus one block per TX_GAS_CAP of `gas`.
    function floorFor(uint256 gas) internal pure returns (uint256) {
        return BLOCK_SECONDS * (MIN_WINDOW_BLOCKS + (gas + TX_GAS_CAP - 1) / TX_GAS_CAP);
    }

    /// @dev Publishing W words and n joins.
    function joinFloor(uint256 n, uint256 words) internal pure returns (uint256) {
        return floorFor(words * PUBLISH_PER_WORD + n * JOIN_PER_MEMBER);
    }

    /// @dev n commits, each to S − 1 peers.
    function commitFloor(uint256 n, uint256 maxGroup) internal pure returns (uint256) {
        return floorFor(n * (COMMIT_PER_MEMBER + (maxGroup - 1) * COMMIT_PER_PEER));
    }

    /// @dev n submissions of W words in K chunks, and a dispute with each of S − 1 peers.
    function submitFloor(uint256 n, uint256 maxGroup, uint256 words, uint256 chunks) internal pure returns (uint256) {
        uint256 perMember = SUBMIT_PER_MEMBER + words * SUBMIT_PER_WORD + chunks * SUBMIT_PER_CHUNK;
        return floorFor(n * (perMember + (maxGroup - 1) * DISPUTE_PER_PEER));
    }

    /// @dev n reveals, each of S − 2 seeds at most.
    function revealFloor(uint256 n, uint256 maxGroup) internal pure returns (uint256) {
        return floorFor(n * (REVEAL_PER_MEMBER + (maxGroup - 1) * REVEAL_PER_PEER));
    }

    /// @dev K chunks and finalizeRound, one block each.
    function aggregateFloor(uint256 chunks) internal pure returns (uint256) {
        return BLOCK_SECONDS * (MIN_WINDOW_BLOCKS + chunks + 1);
    }
}
