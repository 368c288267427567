// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../../contracts/interfaces/IOmniMarket.sol";
import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {JobParams, RoundInfo, Rule} from "../../../contracts/types/MarketTypes.sol";
import {TestBase} from "./TestBase.sol";
import {Keys} from "./Keys.sol";
import {Protocol} from "./Protocol.sol";

/// @title MarketFixture: deploys the market and plays rounds as test/contracts/helpers.ts does, reading groups,
/// active pairs and participation from the market's views only
/// @notice Data owner `i` joins i-th with key pair i, so roster index i is actor i. Updates are the honest ones
/// of Protocol.updateWord, so every plaintext is known to the test. A round's groups are drawn from the hash of
/// the block that opened it, so the fixture mines a block before the first commit of every round.
abstract contract MarketFixture is TestBase {
    uint32 internal constant DURATION = 1000;
    /// @dev Where slashed stakes and forfeits are credited (ProtocolConstants.BURN_ADDRESS).
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;

    OmniMarket internal market;
    MockERC20 internal token;
    address internal mo;
    address internal outsider;
    address[] internal dos;

    /// @dev What each member does in a round (roster bitmaps).
    struct Plan {
        uint256 noCommit;
        uint256 dropouts; // commit, never submit
        uint256 liars; // reveal a seed that contradicts their commitment
        uint256 silent; // never make a required reveal
    }

    mapping(uint256 member => bytes) internal _maskedBytes;

    /// @notice Deploys the market (forge links its libraries) and the token and funds the actors.
    function setUp() public virtual {
        market = new OmniMarket();
        token = new MockERC20();
        mo = _funded("mo");
        outsider = _funded("outsider");
        for (uint256 i = 0; i < Keys.COUNT; ++i) dos.push(_funded(string.concat("do", vm.toString(i))));
    }

    function _funded(string memory name) private returns (address who) {
        who = makeAddr(name);
        vm.deal(who, 1000 ether);
        token.mint(who, 1000 ether);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    /// @dev A small valid job: `n` DOs in groups of `g`, `rounds` rounds, 20 parameters (3 words, one chunk), no
    /// aggregation fee. The median needs n / g >= 3 groups: 9 DOs in groups of 3 is the smallest such job.
    function _params(uint256 n, uint256 g, uint256 rounds, address asset) internal pure returns (JobParams memory) {
        return JobParams({
            taskTag: keccak256("mnist"),
            modelCommitment: keccak256("model"),
            token: asset,
            numDOs: uint32(n),
            groupSize: uint32(g),
            rounds: uint32(rounds),
            paramCount: 20,
            rewardPerRound: 1e15,
            stake: 1e16,
            aggregationFee: 0,
            joinDuration: DURATION,
            commitDuration: DURATION,
            submitDuration: DURATION,
            revealDuration: DURATION,
            aggregateDuration: DURATION,
            rule: Rule.Median,
            trimBps: 0,
            outlierFactorBps: 40000,
            minProjectionBps: 0,
            scaleBits: 16,
            clipNormQ: 1 << 16
        });
    }

    /// @dev rounds · (n · reward + (chunks + 1) · aggregationFee): every round's pay and a fee for each of its
    /// aggregation transactions (every chunk and finalizeRound).
    function _budget(JobParams memory p) internal view returns (uint256) {
        uint256 words = (uint256(p.paramCount) + 7) / 8;
        uint256 c = market.chunkWordsFor(p.numDOs, p.groupSize, p.rule);
        uint256 chunks = (words + c - 1) / c;
        return uint256(p.rounds) * (uint256(p.numDOs) * p.rewardPerRound + (chunks + 1) * p.aggregationFee);
    }

    /// @dev Fewest eligible groups the job's rule needs: 3 for the median, max(3, ceil(10000 / trimBps)) for a
    /// trimmed mean.
    function _needed(JobParams memory p) internal pure returns (uint256) {
        if (p.rule == Rule.Median) return 3;
        uint256 e = (10000 + uint256(p.trimBps) - 1) / p.trimBps;
        return e > 3 ? e : 3;
    }

    /// @dev Mines a block when the current round opened in this one: its groups are drawn from that block's hash,
    /// readable only from the next block on.
    function _mineIfUndrawn(uint256 id) internal {
        if (market.roundInfo(id).randomness == bytes32(0)) vm.roll(block.number + 1);
    }

    /// @dev Creates the job as the MO, paying the budget.
    function _create(JobParams memory p) internal returns (uint256) {
        uint256 value = p.token == address(0) ? _budget(p) : 0;
        vm.prank(mo);
        return market.createJob{value: value}(p);
    }

    /// @dev Posts the whole public model.
    function _publish(uint256 id) internal {
        uint256 words = (uint256(market.jobParams(id).paramCount) + 7) / 8;
        bytes memory model = new bytes(32 * words);
        for (uint256 w = 0; w < words; ++w) model[32 * w + 31] = bytes1(uint8(w + 1));
        vm.prank(mo);
        market.publishModel(id, 0, model);
    }

    /// @dev DO `i` joins with key pair i and the stake.
    function _join(uint256 id, uint256 i) internal {
        JobParams memory p = market.jobParams(id);
        (uint256 x, uint256 y) = Keys.publicKey(i);
        vm.prank(dos[i]);
        market.join{value: p.token == address(0) ? p.stake : 0}(id, x, y);
    }

    /// @dev Creates, publishes and fills a job; round 0 is open afterwards, one block later (its groups drawn).
    function _openJob(JobParams memory p) internal returns (uint256 id) {
        id = _create(p);
        _publish(id);
        for (uint256 i = 0; i < p.numDOs; ++i) _join(id, i);
        vm.roll(block.number + 1);
    }

    /// @dev The current round's context.
    function _ctx(uint256 id) internal view returns (Protocol.Context memory) {
        return Protocol.Context({chainId: block.chainid, market: address(market), jobId: id, round: market.roundInfo(id).index});
    }

    /// @dev Member `i`'s honest commitments: one per group peer, ascending.
    function _commitmentsOf(uint256 id, uint256 i) internal view returns (bytes32[] memory out) {
        uint256[] memory group = _groupOf(id, i);
        out = new bytes32[](group.length - 1);
        uint256 q;
        for (uint256 p = 0; p < group.length; ++p) {
            if (group[p] == i) continue;
            out[q++] = Protocol.commitmentOf(_ctx(id), i, group[p], Protocol.seedOf(_ctx(id), i, i, group[p], group[p]));
        }
    }

    /// @dev The group holding member `i`.
    function _groupOf(uint256 id, uint256 i) internal view returns (uint256[] memory) {
        uint256[][] memory gs = market.groups(id);
        for (uint256 k = 0; k < gs.length; ++k) {
            for (uint256 p = 0; p < gs[k].length; ++p) if (gs[k][p] == i) return gs[k];
        }
        revert("not in a group");
    }

    /// @dev Member `i`'s plaintext word `w` in the current round.
    function _plainWord(uint256 id, uint256 i, uint256 w) internal view returns (uint256) {
        return Protocol.updateWord(market.jobParams(id).paramCount, market.roundInfo(id).index, w, keccak256(abi.encode(id, i)));
    }

    /// @dev Member `i`'s masked vector with the active pairs the market reports.
    function _maskedOf(uint256 id, uint256 i) internal view returns (bytes memory) {
        uint256 active = market.activePeers(id, i);
        uint256 count;
        for (uint256 k = 0; active >> k != 0; ++k) count += (active >> k) & 1;
        uint256[] memory peers = new uint256[](count);
        bytes32[] memory seeds = new bytes32[](count);
        uint256 q;
        for (uint256 k = 0; active >> k != 0; ++k) {
            if ((active >> k) & 1 == 0) continue;
            peers[q] = k;
            seeds[q++] = Protocol.seedOf(_ctx(id), i, i, k, k);
        }
        uint256 words = (uint256(market.jobParams(id).paramCount) + 7) / 8;
        uint256[] memory out = new uint256[](words);
        for (uint256 w = 0; w < words; ++w) out[w] = Protocol.maskWord(_plainWord(id, i, w), i, peers, seeds, w);
        return abi.encodePacked(out);
    }

    /// @dev Every member not in plan.noCommit commits honestly.
    function _commitAll(uint256 id, Plan memory plan) internal {
        uint256 n = market.jobParams(id).numDOs;
        uint256 members = market.roundInfo(id).members;
        for (uint256 i = 0; i < n; ++i) {
            if ((members >> i) & 1 == 0 || (plan.noCommit >> i) & 1 == 1) continue;
            _commit(id, i);
        }
    }

    /// @dev Member `i` commits honestly (in a block after the draw block).
    function _commit(uint256 id, uint256 i) internal {
        _mineIfUndrawn(id);
        bytes32[] memory c = _commitmentsOf(id, i);
        uint256 round = market.roundInfo(id).index;
        vm.prank(dos[i]);
        market.commitSeeds(id, round, c);
    }

    /// @dev Committers not in plan.dropouts submit their whole masked vector in one call (those left with fewer
    /// than two active pairs may not submit and do not try).
    function _submitAll(uint256 id, Plan memory plan) internal {
        uint256 n = market.jobParams(id).numDOs;
        RoundInfo memory info = market.roundInfo(id);
        for (uint256 i = 0; i < n; ++i) {
            if ((info.committed >> i) & 1 == 0 || (plan.dropouts >> i) & 1 == 1) continue;
            if (_popcount(market.activePeers(id, i)) < 2) continue;
            _submit(id, i);
        }
    }

    /// @dev Member `i` submits its whole masked vector, in a transaction it sends itself (tx.origin == msg.sender).
    function _submit(uint256 id, uint256 i) internal {
        _maskedBytes[i] = _maskedOf(id, i);
        uint256 round = market.roundInfo(id).index;
        vm.prank(dos[i], dos[i]);
        market.submitMasked(id, round, 0, _maskedBytes[i]);
    }

    /// @dev The dropped peers member `i` must reveal, from the market's views.
    function _targetsOf(uint256 id, uint256 i) internal view returns (uint256[] memory out) {
        RoundInfo memory info = market.roundInfo(id);
        uint256[] memory group = _groupOf(id, i);
        uint256 subs;
        for (uint256 p = 0; p < group.length; ++p) subs += (info.submitted >> group[p]) & 1;
        if (subs < 3) return new uint256[](0);
        uint256 bits = market.activePeers(id, i) & info.committed & ~info.submitted;
        uint256 count;
        for (uint256 k = 0; bits >> k != 0; ++k) count += (bits >> k) & 1;
        out = new uint256[](count);
        uint256 q;
        for (uint256 k = 0; bits >> k != 0; ++k) if ((bits >> k) & 1 == 1) out[q++] = k;
    }

    /// @dev Submitters make their required reveals (liars with a wrong first seed, silent ones not at all).
    function _revealAll(uint256 id, Plan memory plan) internal {
        uint256 n = market.jobParams(id).numDOs;
        RoundInfo memory info = market.roundInfo(id);
        for (uint256 i = 0; i < n; ++i) {
            if ((info.submitted >> i) & 1 == 0 || (plan.silent >> i) & 1 == 1) continue;
            uint256[] memory targets = _targetsOf(id, i);
            if (targets.length == 0) continue;
            _reveal(id, i, targets, (plan.liars >> i) & 1 == 1);
        }
    }

    /// @dev Member `i` reveals its seeds with `targets` (the first one wrong when `lie`).
    function _reveal(uint256 id, uint256 i, uint256[] memory targets, bool lie) internal {
        bytes32[] memory seeds = new bytes32[](targets.length);
        for (uint256 t = 0; t < targets.length; ++t) seeds[t] = Protocol.seedOf(_ctx(id), i, i, targets[t], targets[t]);
        if (lie) seeds[0] = keccak256("a lie");
        uint256 round = market.roundInfo(id).index;
        vm.prank(dos[i]);
        market.revealSeeds(id, round, targets, seeds);
    }

    /// @dev Bitmap over group indices of the groups the market will aggregate: at least 3 submitters, none
    /// contradicted, every required reveal in.
    function _eligibleGroups(uint256 id) internal view returns (uint256 bits) {
        uint256[][] memory gs = market.groups(id);
        RoundInfo memory info = market.roundInfo(id);
        for (uint256 k = 0; k < gs.length; ++k) {
            uint256 subs;
            bool ok = true;
            for (uint256 p = 0; p < gs[k].length; ++p) {
                uint256 i = gs[k][p];
                if ((info.convicted >> i) & 1 == 1) ok = false;
                if ((info.submitted >> i) & 1 == 0) continue;
                ++subs;
                if ((info.contradicted >> i) & 1 == 1) ok = false;
                if ((info.revealed >> i) & 1 == 0 && _targetsOf(id, i).length > 0) ok = false;
            }
            if (subs >= 3 && ok) bits |= uint256(1) << k;
        }
    }

    /// @dev The aggregateChunk data: eligible groups ascending (as the market decides them), submitters ascending.
    function _aggregationData(uint256 id) internal view returns (bytes memory data) {
        uint256[][] memory gs = market.groups(id);
        uint256 eligible = _eligibleGroups(id);
        uint256 submitted = market.roundInfo(id).submitted;
        for (uint256 k = 0; k < gs.length; ++k) {
            if ((eligible >> k) & 1 == 0) continue;
            for (uint256 p = 0; p < gs[k].length; ++p) {
                if ((submitted >> gs[k][p]) & 1 == 1) data = bytes.concat(data, _maskedBytes[gs[k][p]]);
            }
        }
    }

    /// @dev Runs a whole round per plan (passing deadlines where someone does not act) and aggregates its one
    /// chunk when enough groups are eligible for the rule (else the round is void); does not finalize.
    function _playRound(uint256 id, Plan memory plan) internal {
        _commitAll(id, plan);
        if (plan.noCommit != 0) vm.warp(market.roundInfo(id).commitDeadline + 1);
        _submitAll(id, plan);
        RoundInfo memory info = market.roundInfo(id);
        if (info.committed & ~info.submitted != 0) vm.warp(info.submitDeadline + 1);
        _revealAll(id, plan);
        if (plan.silent != 0) vm.warp(market.roundInfo(id).revealDeadline + 1);
        if (_popcount(_eligibleGroups(id)) < _needed(market.jobParams(id))) return;
        market.aggregateChunk(id, market.roundInfo(id).index, 0, _aggregationData(id));
    }

    /// @dev Number of set bits.
    function _popcount(uint256 x) internal pure returns (uint256 c) {
        for (; x != 0; ++c) x &= x - 1;
    }

    /// @dev Asserts the next call reverts with `expected` exactly.
    function _expectError(bytes memory expected) internal {
        vm.expectRevert(expected);
    }

    /// @dev Shorthand for the phase error.
    function _phaseError(uint256 id, uint8 current, uint8 expected) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, current, expected);
    }
}
