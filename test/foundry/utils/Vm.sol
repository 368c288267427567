// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Vm: the forge cheatcodes these tests use (the cheatcode contract lives at HEVM_ADDRESS)
interface Vm {
    /// @notice A log captured by `recordLogs`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice Sets msg.sender (and the payer of msg.value) of the next call.
    function prank(address sender) external;

    /// @notice Sets msg.sender and tx.origin of the next call (a transaction `sender` sends itself).
    function prank(address sender, address origin) external;

    /// @notice Sets msg.sender of every following call until `stopPrank`.
    function startPrank(address sender) external;

    /// @notice Sets msg.sender and tx.origin of every following call until `stopPrank`.
    function startPrank(address sender, address origin) external;

    /// @notice Ends `startPrank`.
    function stopPrank() external;

    /// @notice Sets the ETH balance of `who`.
    function deal(address who, uint256 amount) external;

    /// @notice Sets block.timestamp.
    function warp(uint256 timestamp) external;

    /// @notice Sets block.number.
    function roll(uint256 blockNumber) external;

    /// @notice Sets block.prevrandao.
    function prevrandao(bytes32 value) external;

    /// @notice Sets the hash BLOCKHASH returns for block `blockNumber`.
    function setBlockhash(uint256 blockNumber, bytes32 blockHash) external;

    /// @notice The next call must revert with exactly this revert data.
    function expectRevert(bytes calldata revertData) external;

    /// @notice Discards the current fuzz input unless `condition` holds.
    function assume(bool condition) external pure;

    /// @notice Names `who` in traces.
    function label(address who, string calldata name) external;

    /// @notice Starts capturing emitted logs.
    function recordLogs() external;

    /// @notice The logs captured since `recordLogs` (and clears them).
    function getRecordedLogs() external returns (Log[] memory logs);

    /// @notice Decimal string of `value`.
    function toString(uint256 value) external pure returns (string memory);

    /// @notice Hex string of `value`.
    function toString(bytes memory value) external pure returns (string memory);
}
