// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @title TestBase: cheatcodes, assertions, input bounding and the target lists forge's invariant mode reads
/// @notice forge runs every `test*` function after `setUp`; a test fails when it reverts. Invariant mode asks the
/// test contract for `targetContracts()`, `targetSenders()`, `excludeContracts()` and `excludeSenders()` by name.
abstract contract TestBase {
    /// @dev The cheatcode contract: address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @dev Failure of an `assert*` helper, with what was compared.
    error AssertionFailed(string what, uint256 left, uint256 right);

    address[] private _targetContracts;
    address[] private _targetSenders;
    address[] private _excludeContracts;
    address[] private _excludeSenders;

    /// @notice Contracts the invariant fuzzer calls (all its functions).
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @notice Senders the invariant fuzzer uses.
    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    /// @notice Contracts the invariant fuzzer never calls.
    function excludeContracts() public view returns (address[] memory) {
        return _excludeContracts;
    }

    /// @notice Senders the invariant fuzzer never uses.
    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }

    /// @dev Adds a contract to the fuzzer's targets.
    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    /// @dev Adds a sender to the fuzzer's senders.
    function targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    /// @dev Keeps the fuzzer away from a contract.
    function excludeContract(address target) internal {
        _excludeContracts.push(target);
    }

    /// @dev Keeps the fuzzer from using a sender.
    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    /// @dev An address derived from a name, labelled in traces.
    function makeAddr(string memory name) internal returns (address who) {
        who = address(uint160(uint256(keccak256(bytes(name)))));
        vm.label(who, name);
    }

    /// @dev Maps `x` into [lo, hi] (lo <= hi): values inside stay as they are, others wrap modulo the range size.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return Bound.bound(x, lo, hi);
    }

    /// @dev Fails with `what` unless `ok`.
    function assertTrue(bool ok, string memory what) internal pure {
        if (!ok) revert AssertionFailed(what, 1, 0);
    }

    /// @dev Fails with `what` unless `a == b`.
    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what, a, b);
    }

    /// @dev Fails with `what` unless `a == b`.
    function assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what, uint256(a), uint256(b));
    }

    /// @dev Fails with `what` unless `a == b`.
    function assertEq(int256 a, int256 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what, uint256(a), uint256(b));
    }

    /// @dev Fails with `what` unless `a <= b`.
    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) revert AssertionFailed(what, a, b);
    }

    /// @dev Fails with `what` unless `a > b`.
    function assertGt(uint256 a, uint256 b, string memory what) internal pure {
        if (a <= b) revert AssertionFailed(what, a, b);
    }
}

/// @title Bound: fuzz input bounding shared by tests and handlers
library Bound {
    /// @dev [lo, hi] as in forge-std: values already inside stay, others wrap modulo the range size.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo;
        if (size == type(uint256).max) return x;
        return lo + (x % (size + 1));
    }
}
