// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title HostileERC20: a token whose `transfer` and `transferFrom` can each be switched to return false,
/// revert, or burn a 1% fee from the amount sent, at any time (so a job can be created while it behaves)
contract HostileERC20 is ERC20 {
    /// @notice How a transfer behaves.
    enum Mode {
        Normal,
        ReturnFalse,
        Revert,
        Fee
    }

    /// @notice Raised by a transfer in mode `Revert`.
    error HostileTokenRefused(address from, address to, uint256 value);

    Mode private _transferMode;
    Mode private _transferFromMode;

    constructor() ERC20("Hostile", "HOST") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets how `transfer` and `transferFrom` behave from now on.
    function setModes(Mode transferMode, Mode transferFromMode) external {
        _transferMode = transferMode;
        _transferFromMode = transferFromMode;
    }

    /// @notice ERC-20 transfer, subject to the transfer mode.
    function transfer(address to, uint256 value) public override returns (bool) {
        return _move(_transferMode, msg.sender, to, value);
    }

    /// @notice ERC-20 transferFrom, subject to the transferFrom mode.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        Mode mode = _transferFromMode;
        if (mode == Mode.ReturnFalse) return false;
        if (mode == Mode.Revert) revert HostileTokenRefused(from, to, value);
        _spendAllowance(from, msg.sender, value);
        return _move(mode, from, to, value);
    }

    function _move(Mode mode, address from, address to, uint256 value) private returns (bool) {
        if (mode == Mode.ReturnFalse) return false;
        if (mode == Mode.Revert) revert HostileTokenRefused(from, to, value);
        uint256 fee = mode == Mode.Fee ? value / 100 : 0;
        if (fee != 0) _burn(from, fee);
        _transfer(from, to, value - fee);
        return true;
    }
}
