// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title HostileReceiver: a contract account that acts in the market through `forward` and misbehaves when
/// paid in ETH: it either refuses the payment or calls back into the market with a preset payload
/// @notice The callback's revert data is recorded rather than bubbled, so a test can see that the market
/// refused the re-entry while the payment itself went through.
contract HostileReceiver {
    address private immutable _MARKET;
    bytes private _onPayment;
    bool private _refuse;
    bytes private _lastRevert;
    uint256 private _payments;

    constructor(address market) {
        _MARKET = market;
    }

    /// @notice Calls the market with `data` (and the ETH sent), bubbling any revert.
    function forward(bytes calldata data) external payable returns (bytes memory result) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = _MARKET.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    /// @notice On every later ETH payment: refuse it (revert without data), or call the market with `payload`.
    function setOnPayment(bytes calldata payload, bool refuse) external {
        _onPayment = payload;
        _refuse = refuse;
    }

    /// @notice Revert data of the last callback (empty if it succeeded or none ran).
    function lastRevert() external view returns (bytes memory) {
        return _lastRevert;
    }

    /// @notice Number of ETH payments accepted.
    function payments() external view returns (uint256) {
        return _payments;
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (_refuse) {
            // Revert without data, as a contract without a payable receive would.
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        ++_payments;
        if (_onPayment.length == 0) return;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory data) = _MARKET.call(_onPayment);
        _lastRevert = ok ? bytes("") : data;
    }
}
