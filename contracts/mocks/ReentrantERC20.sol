// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantERC20: calls back into a target during every transfer once armed
/// @notice The callback's revert data is recorded rather than bubbled, so a test can see that the market
/// refused the re-entry while the outer transfer still completes.
contract ReentrantERC20 is ERC20 {
    address private _target;
    bytes private _payload;
    bytes private _lastRevert;
    bool private _entered;

    constructor() ERC20("Reentrant", "RE") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the callback: every later transfer calls `target` with `payload`.
    function arm(address target, bytes calldata payload) external {
        _target = target;
        _payload = payload;
    }

    /// @notice Revert data of the last callback (empty if it succeeded).
    function lastRevert() external view returns (bytes memory) {
        return _lastRevert;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (_target == address(0) || _entered) return;
        _entered = true;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory data) = _target.call(_payload);
        _lastRevert = ok ? bytes("") : data;
        _entered = false;
    }
}
