// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ProtocolConstants: the numbers docs/PROTOCOL.md fixes, named once for every library
/// @notice The job limits checked at creation (MAX_DOS, MIN_GROUP_SIZE, ...) live in JobLogic.
library ProtocolConstants {
    /// @dev A group sum is unmasked (eligible, and its reveals required) only with at least this many submitters.
    uint256 internal constant MIN_GROUP_SUBMITTERS = 3;
    /// @dev A member may submit only with at least this many active pairs (one peer alone could unmask it).
    uint256 internal constant MIN_ACTIVE_PEERS = 2;
    /// @dev Basis points in one: the denominator of trimBps, outlierFactorBps and minProjectionBps.
    uint256 internal constant BPS = 10_000;
    /// @dev trimBps must stay below this: trimming half of the values from each end would leave none.
    uint256 internal constant MAX_TRIM_BPS = 5_000;
    /// @dev The median needs at least this many eligible group means to resist one bad group (with two, their
    /// median is their mean, which one group sets).
    uint256 internal constant MIN_MEDIAN_GROUPS = 3;
    /// @dev Multi-Krum needs at least this many counted group means: with f = ⌊(e − 3) / 2⌋ presumed bad it
    /// presumes at least one (below 5 it would be the plain mean, which one group steers).
    uint256 internal constant MIN_KRUM_GROUPS = 5;
    /// @dev The geometric median and Multi-Krum accept jobs of at most this many groups (n / g): their chunks keep a
    /// Gram slot per pair of groups, and finalization works on the e × e matrix in O(e²).
    uint256 internal constant MAX_GRAM_GROUPS = 16;
    /// @dev The certificate's tolerance τ = 1 / GEOMEDIAN_TOLERANCE_INV on the norm of the sum of unit vectors.
    uint256 internal constant GEOMEDIAN_TOLERANCE_INV = 10;
    /// @dev Blame across rounds: the conviction rule is safe against this share of colluding DOs in the roster
    /// (at least one), i.e. an honest member is convicted with probability at most 1 / FALSE_CONVICTION_INV.
    uint256 internal constant BLAME_COLLUDER_BPS = 2_000;
    /// @dev A member is convicted only once an honest member's chance of so long a run of over-bound groups is
    /// at most 1 / FALSE_CONVICTION_INV.
    uint256 internal constant FALSE_CONVICTION_INV = 1_000;
    /// @dev Fixed-point one of the blame evidence (a probability).
    uint256 internal constant WAD = 1e18;
    /// @dev Slashed stakes and forfeits are credited here (nobody holds its key), never to a party that could
    /// have caused the slash.
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
}
