// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {JobParams, Rule} from "../../../contracts/types/MarketTypes.sol";
import {MarketFixture} from "../utils/MarketFixture.sol";
import {Keys} from "../utils/Keys.sol";
import {Protocol} from "../utils/Protocol.sol";

/// @dev The gas job: 10 DOs in groups of 3 (three groups, of 4, 3 and 3: the median needs three, and only a
/// group of four keeps three submitters when one member drops out), 2 rounds, 20 parameters (3 words, one chunk),
/// ETH, median, an aggregation fee.
function gasJobParams(JobParams memory q) pure returns (JobParams memory) {
    q.aggregationFee = 1e14;
    return q;
}

/// @title GasFixture: one fixed job for the gas snapshot (gasJobParams) with one dropout in the group of four
/// whose three peers reveal
/// @notice Each snapshot test makes exactly one market call from the state its setUp prepared, so `forge
/// snapshot` records that call (plus the test's fixed overhead) and nothing else. The draw block's hash is
/// pinned, so the groups do not depend on forge's default block hashes.
abstract contract GasFixture is MarketFixture {
    uint256 internal id;
    uint256 internal dropout;
    uint256 internal revealer;
    uint256 internal big; // index of the group of four
    JobParams internal p;

    /// @notice Deploys the market and opens the fixed job's round 0, its groups drawn.
    function setUp() public virtual override {
        super.setUp();
        p = _jobParams();
        id = _create(p);
        _publish(id);
        for (uint256 i = 0; i < p.numDOs; ++i) _join(id, i);
        vm.setBlockhash(block.number, keccak256("omnimarket gas fixture draw"));
        vm.roll(block.number + 1);
        uint256[][] memory gs = market.groups(id);
        while (gs[big].length != 4) ++big;
        dropout = gs[big][0];
        revealer = gs[big][1];
    }

    /// @dev The fixed job's parameters.
    function _jobParams() internal view virtual returns (JobParams memory) {
        return gasJobParams(_params(10, 3, 2, address(0)));
    }

    /// @dev Plays round 0 up to its Aggregate phase: everyone commits, the dropout never submits, its peers reveal.
    function _toAggregate() internal {
        Plan memory plan = Plan(0, uint256(1) << dropout, 0, 0);
        _commitAll(id, plan);
        _submitAll(id, plan);
        vm.warp(market.roundInfo(id).submitDeadline + 1);
        _revealAll(id, plan);
    }
}

/// @title GasJoinFixture: the gas job (ten seats) with `_joinedBefore()` DOs joined; the next DO's join is measured
abstract contract GasJoinFixture is MarketFixture {
    uint256 internal id;
    uint256 internal x;
    uint256 internal y;

    /// @notice How many DOs have joined before the measured join.
    function _joinedBefore() internal pure virtual returns (uint256);

    /// @notice Creates and publishes the job and joins the first `_joinedBefore()` DOs.
    function setUp() public override {
        super.setUp();
        id = _create(gasJobParams(_params(10, 3, 2, address(0))));
        _publish(id);
        for (uint256 i = 0; i < _joinedBefore(); ++i) _join(id, i);
        (x, y) = Keys.publicKey(_joinedBefore());
    }

    /// @notice The next DO joins.
    function _joinNext() internal {
        vm.prank(dos[_joinedBefore()]);
        market.join{value: 1e16}(id, x, y);
    }
}

/// @title GasJoinTest: a join that does not fill the roster (eight of ten joined before)
contract GasJoinTest is GasJoinFixture {
    /// @inheritdoc GasJoinFixture
    function _joinedBefore() internal pure override returns (uint256) {
        return 8;
    }

    /// @notice join: key check, roster entry, stake.
    function test_gas_join() public {
        _joinNext();
    }
}

/// @title GasSealTest: the join that fills the roster and opens round 0 (nine of ten joined before)
contract GasSealTest is GasJoinFixture {
    /// @inheritdoc GasJoinFixture
    function _joinedBefore() internal pure override returns (uint256) {
        return 9;
    }

    /// @notice join that seals the roster: also opens round 0 (its members and draw block).
    function test_gas_joinThatSealsTheRoster() public {
        _joinNext();
    }
}

/// @title GasCommitTest: the first commitment of a round, which also draws its groups
contract GasCommitTest is GasFixture {
    bytes32[] internal commitments;

    /// @notice Round 0 open; the first member's commitments prepared.
    function setUp() public override {
        super.setUp();
        commitments = _commitmentsOf(id, revealer);
    }

    /// @notice commitSeeds: three commitments, the round's randomness drawn from the draw block's hash and
    /// stored, groups computed.
    function test_gas_commitSeeds() public {
        vm.prank(dos[revealer]);
        market.commitSeeds(id, 0, commitments);
    }
}

/// @title GasSubmitTest: one member's one-chunk masked vector
contract GasSubmitTest is GasFixture {
    bytes internal words;

    /// @notice Everyone committed; the member's masked vector prepared.
    function setUp() public override {
        super.setUp();
        _commitAll(id, Plan(0, 0, 0, 0));
        words = _maskedOf(id, revealer);
    }

    /// @notice submitMasked: one chunk of 3 words, sent by the member itself.
    function test_gas_submitMasked() public {
        vm.prank(dos[revealer], dos[revealer]);
        market.submitMasked(id, 0, 0, words);
    }
}

/// @title GasRevealTest: a submitter reveals its seed with the dropout
contract GasRevealTest is GasFixture {
    uint256[] internal peers;
    bytes32[] internal seeds;

    /// @notice The submit deadline passed with the dropout missing; the reveal prepared.
    function setUp() public override {
        super.setUp();
        Plan memory plan = Plan(0, uint256(1) << dropout, 0, 0);
        _commitAll(id, plan);
        _submitAll(id, plan);
        vm.warp(market.roundInfo(id).submitDeadline + 1);
        peers = _targetsOf(id, revealer);
        seeds.push(Protocol.seedOf(_ctx(id), revealer, revealer, peers[0], peers[0]));
    }

    /// @notice revealSeeds: one seed checked against its commitment and stored.
    function test_gas_revealSeeds() public {
        vm.prank(dos[revealer]);
        market.revealSeeds(id, 0, peers, seeds);
    }
}

/// @title GasAggregateTest: the round's one chunk over the three groups, with the dropout's masks removed
contract GasAggregateTest is GasFixture {
    bytes internal data;

    /// @notice Round 0 in its Aggregate phase; the chunk data prepared.
    function setUp() public override {
        super.setUp();
        _toAggregate();
        data = _aggregationData(id);
    }

    /// @notice aggregateChunk: 9 slices of 3 words, 3 mask pairs removed, median of 3 group means per lane, the
    /// fee credited.
    function test_gas_aggregateChunk() public {
        market.aggregateChunk(id, 0, 0, data);
    }
}

/// @title GasAggregateLaterChunkTest: the same round with one more word, so a second chunk of one word; chunk 0
/// aggregated, the second chunk measured (it reads the eligible groups chunk 0 stored)
contract GasAggregateLaterChunkTest is GasFixture {
    bytes internal data;

    /// @inheritdoc GasFixture
    function _jobParams() internal view override returns (JobParams memory q) {
        q = gasJobParams(_params(10, 3, 2, address(0)));
        q.paramCount = uint32(8 * (market.chunkWordsFor(10, 3, Rule.Median) + 1));
    }

    /// @notice Round 0 in its Aggregate phase with chunk 0 aggregated; chunk 1's data prepared.
    function setUp() public override {
        super.setUp();
        _toAggregate();
        uint256 c = market.jobInfo(id).chunkWords;
        bytes memory whole = _aggregationData(id); // slices of c + 1 words each
        uint256 slices = whole.length / ((c + 1) * 32);
        bytes memory first;
        for (uint256 s = 0; s < slices; ++s) {
            first = bytes.concat(first, _slice(whole, s * (c + 1) * 32, c * 32));
            data = bytes.concat(data, _slice(whole, (s * (c + 1) + c) * 32, 32));
        }
        market.aggregateChunk(id, 0, 0, first);
    }

    /// @notice aggregateChunk of a later chunk: 9 slices of 1 word, 3 mask pairs removed, no phase derivation,
    /// the fee credited.
    function test_gas_aggregateLaterChunk() public {
        market.aggregateChunk(id, 0, 1, data);
    }

    function _slice(bytes memory b, uint256 from, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(b, 0x20), from), len)
        }
    }
}

/// @title GasFinalizeTest: pay, slash, the fee and open round 1
contract GasFinalizeTest is GasFixture {
    /// @notice Round 0 aggregated.
    function setUp() public override {
        super.setUp();
        _toAggregate();
        market.aggregateChunk(id, 0, 0, _aggregationData(id));
    }

    /// @notice finalizeRound: 9 rewards credited, 1 member slashed, the fee credited, round 1 opened.
    function test_gas_finalizeRound() public {
        market.finalizeRound(id, 0);
    }
}

/// @title GasReleaseTest: a DO's ETH credit paid out
contract GasReleaseTest is GasFixture {
    address internal paid;

    /// @notice Round 0 finalized.
    function setUp() public override {
        super.setUp();
        _toAggregate();
        market.aggregateChunk(id, 0, 0, _aggregationData(id));
        market.finalizeRound(id, 0);
        paid = dos[revealer];
    }

    /// @notice release: credit cleared, ETH sent, solvency checked.
    function test_gas_release() public {
        market.release(address(0), paid);
    }
}
