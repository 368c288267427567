// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../../contracts/interfaces/IOmniMarket.sol";
import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {CreditKind, JobParams, JobInfo, Phase, RoundInfo, Rule} from "../../../contracts/types/MarketTypes.sol";
import {GhostModel} from "./GhostModel.sol";
import {Keys} from "../utils/Keys.sol";
import {Protocol} from "../utils/Protocol.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarketActions: every market call the actors make, each with the outcome the record predicts for it
/// @notice A call the record says must succeed is sent and any revert is bubbled (the invariant run fails on
/// it); a call it says must fail is sent and its revert data compared byte for byte with the expected custom
/// error and arguments. Every call's transaction gas (EIP-7623: the larger of 21,000 + 4·tokens + execution and
/// 21,000 + 10·tokens) is measured against the EIP-7825 cap.
abstract contract MarketActions is GhostModel {
    /// @notice The market under test.
    OmniMarket public immutable market;
    /// @notice The ERC-20 of the token jobs.
    MockERC20 public immutable token;

    address[] internal _owners;
    address[] internal _dataOwners;
    address[] internal _outsiders;
    mapping(address account => uint256) internal _actorPlusOne; // data-owner actor number + 1
    mapping(uint256 jobId => mapping(address account => uint256)) internal _indexPlusOne;
    bool internal _txSucceeded;

    uint256 internal constant BABYJUB_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    constructor(OmniMarket market_, MockERC20 token_) {
        market = market_;
        token = token_;
        for (uint256 a = 0; a < 2; ++a) _owners.push(_fund(string.concat("mo", vm.toString(a))));
        for (uint256 a = 0; a < Keys.COUNT; ++a) {
            address who = _fund(string.concat("do", vm.toString(a)));
            _dataOwners.push(who);
            _actorPlusOne[who] = a + 1;
        }
        for (uint256 a = 0; a < 2; ++a) _outsiders.push(_fund(string.concat("outsider", vm.toString(a))));
    }

    /// @notice Every account the market may credit: model owners, data owners, outsiders and the burn address.
    function accounts() public view returns (address[] memory all) {
        all = new address[](_owners.length + _dataOwners.length + _outsiders.length + 1);
        uint256 q;
        for (uint256 a = 0; a < _owners.length; ++a) all[q++] = _owners[a];
        for (uint256 a = 0; a < _dataOwners.length; ++a) all[q++] = _dataOwners[a];
        for (uint256 a = 0; a < _outsiders.length; ++a) all[q++] = _outsiders[a];
        all[q] = BURN_ADDRESS;
    }

    /// @notice The model-owner accounts.
    function owners() external view returns (address[] memory) {
        return _owners;
    }

    /// @inheritdoc GhostModel
    function _marketAddress() internal view override returns (address) {
        return address(market);
    }

    function _fund(string memory name) private returns (address who) {
        who = makeAddr(name);
        vm.deal(who, 1e30);
        token.mint(who, 1e30);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    // ------------------------------------------------------------------ sending

    /// @dev Sends `data` from `from` with `value` in a transaction `from` sends itself (tx.origin == msg.sender);
    /// `expected` empty: must succeed, else must revert with it.
    function _expect(address from, uint256 value, bytes memory data, bytes memory expected, string memory what) internal returns (bool) {
        return _expectVia(from, from, value, data, expected, what);
    }

    /// @dev As `_expect`, with `origin` the transaction's sender (another than `from`: a call relayed by `from`).
    function _expectVia(
        address from,
        address origin,
        uint256 value,
        bytes memory data,
        bytes memory expected,
        string memory what
    ) internal returns (bool) {
        vm.prank(from, origin);
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = address(market).call{value: value}(data);
        _recordGas(data, before - gasleft());
        if (expected.length == 0) {
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
            _txSucceeded = true;
            return true;
        }
        bool phaseError = bytes4(expected) == IOmniMarket.MarketUnexpectedPhase.selector;
        if (phaseError) ++outOfPhaseTried;
        else ++misuseTried;
        if (ok) {
            _txSucceeded = true;
            if (phaseError) ++outOfPhaseAccepted;
            else ++misuseAccepted;
            _finding(string.concat(what, ": accepted, expected ", vm.toString(expected)));
        } else if (keccak256(ret) != keccak256(expected)) {
            if (phaseError) ++outOfPhaseWrongError;
            else ++misuseWrongError;
            _finding(string.concat(what, ": refused with ", vm.toString(ret), ", expected ", vm.toString(expected)));
        }
        return false;
    }

    /// @dev Records the transaction gas of a call whose execution used `exec`.
    function _recordGas(bytes memory data, uint256 exec) private {
        uint256 zeros;
        assembly ("memory-safe") {
            let p := add(data, 0x20)
            let end := add(p, mload(data))
            for {} lt(p, end) { p := add(p, 1) } {
                zeros := add(zeros, iszero(byte(0, mload(p))))
            }
        }
        uint256 tokens = zeros + 4 * (data.length - zeros);
        uint256 standard = 21_000 + 4 * tokens + exec;
        uint256 floor = 21_000 + 10 * tokens;
        uint256 gasUsed = standard > floor ? standard : floor;
        if (gasUsed > maxTxGas) {
            maxTxGas = gasUsed;
            maxTxSelector = bytes4(data);
        }
    }

    /// @dev The first failure of the round-scoped checks every member call makes, in the market's order.
    function _roundChecks(uint256 id, Phase wanted, uint256 round, address sender) internal view returns (bytes memory) {
        if (id == 0 || id > _jobCount) return abi.encodeWithSelector(IOmniMarket.MarketUnknownJob.selector, id);
        Phase ph = phaseOf(id);
        if (ph != wanted) return abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, wanted);
        Job storage j = _jobs[id];
        if (round != j.round) return abi.encodeWithSelector(IOmniMarket.MarketWrongRound.selector, id, j.round, round);
        uint256 plusOne = _indexPlusOne[id][sender];
        if (plusOne == 0) return abi.encodeWithSelector(IOmniMarket.MarketNotMember.selector, id, sender);
        if ((j.members >> (plusOne - 1)) & 1 == 0) {
            return abi.encodeWithSelector(IOmniMarket.MarketNotRoundMember.selector, id, j.round, plusOne - 1);
        }
        return "";
    }

    /// @dev The first failure of the job-scoped checks of aggregateChunk / finalizeRound.
    function _anyoneChecks(uint256 id, Phase wanted, uint256 round) internal view returns (bytes memory) {
        if (id == 0 || id > _jobCount) return abi.encodeWithSelector(IOmniMarket.MarketUnknownJob.selector, id);
        Phase ph = phaseOf(id);
        if (ph != wanted) return abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, wanted);
        if (round != _jobs[id].round) {
            return abi.encodeWithSelector(IOmniMarket.MarketWrongRound.selector, id, _jobs[id].round, round);
        }
        return "";
    }

    /// @dev Where member seeds live for job `id`'s current round.
    function _ctx(uint256 id) internal view returns (Protocol.Context memory) {
        return Protocol.Context({chainId: block.chainid, market: address(market), jobId: id, round: _jobs[id].round});
    }

    /// @dev Pair seed of roster indices `i` and `k` in job `id`'s current round.
    function _seed(uint256 id, uint256 i, uint256 k) internal view returns (bytes32) {
        address[] storage r = _roster[id];
        return Protocol.seedOf(_ctx(id), i, _actorPlusOne[r[i]] - 1, k, _actorPlusOne[r[k]] - 1);
    }

    // ------------------------------------------------------------------ jobs

    /// @dev A job drawn from `seed`: 9 or 10 DOs (the key actors) in groups of 3, so a full round has the three
    /// groups the median and a trimmed mean trimming a third or more need; 1–3 rounds, mostly a few words, now and
    /// then two chunks; ETH or the ERC-20; an aggregation fee two times in three. Variants: 6 a window below its
    /// floor, 7 too few groups, 8 an invalid parameter, 9 a wrong payment.
    function _create(uint256 seed, uint256 variant) internal {
        address owner = _owners[seed % 2];
        JobParams memory p = _draft(seed);
        bytes memory expected;
        if (variant == 7) {
            p.numDOs = 6;
            expected = abi.encodeWithSelector(IOmniMarket.MarketTooFewGroups.selector, 2, _needed(p));
        }
        uint256 budget = _budgetOf(p);
        uint256 value = p.token == address(0) ? budget : 0;
        if (variant == 6) {
            // Window floors (Windows.sol): 3 blocks of 12 s plus one per 2^24 gas of the phase's work; n commits
            // to at most 2g − 2 peers each fit one such block.
            p.commitDuration = uint32(_draw(seed, 9, 48));
            uint256 floor = 12 * (3 + (uint256(p.numDOs) * (100_000 + (2 * uint256(p.groupSize) - 2) * 50_000) + (1 << 24) - 1) / (1 << 24));
            expected = p.commitDuration == 0
                ? abi.encodeWithSelector(IOmniMarket.MarketInvalidParameter.selector, "commitDuration", 0)
                : abi.encodeWithSelector(IOmniMarket.MarketWindowTooShort.selector, "commitDuration", p.commitDuration, floor);
        } else if (variant == 8) {
            p.rounds = 0;
            expected = abi.encodeWithSelector(IOmniMarket.MarketInvalidParameter.selector, "rounds", 0);
        } else if (variant == 9) {
            value = p.token == address(0) ? budget + 1 : 1;
            expected = abi.encodeWithSelector(IOmniMarket.MarketWrongValue.selector, p.token == address(0) ? budget : 0, value);
        }
        if (!_expect(owner, value, abi.encodeCall(IOmniMarket.createJob, (p)), expected, "createJob")) return;
        _recordJob(p, owner, budget);
    }

    /// @dev The job `_create` draws from `seed`, valid as drawn.
    function _draft(uint256 seed) private view returns (JobParams memory p) {
        uint256 n = 9 + _draw(seed, 0, 2);
        Rule rule = _draw(seed, 12, 2) == 0 ? Rule.Median : Rule.TrimmedMean;
        uint256 chunk = market.chunkWordsFor(n, 3, Rule.Median);
        p = JobParams({
            taskTag: keccak256("mnist"),
            modelCommitment: keccak256(abi.encode("model", seed)),
            token: _draw(seed, 2, 2) == 0 ? address(0) : address(token),
            numDOs: uint32(n),
            groupSize: 3,
            rounds: uint32(1 + _draw(seed, 3, 3)),
            paramCount: uint32(_draw(seed, 4, 8) == 0 ? 8 * chunk + 1 + _draw(seed, 5, 64) : 1 + _draw(seed, 5, 64)),
            rewardPerRound: uint128((1 + _draw(seed, 6, 1000)) * 1 gwei),
            stake: uint128((1 + _draw(seed, 7, 1000)) * 1 gwei),
            aggregationFee: uint128(_draw(seed, 16, 3) == 0 ? 0 : (1 + _draw(seed, 17, 1000)) * 1 gwei),
            joinDuration: uint32(20000 + _draw(seed, 8, 20000)),
            commitDuration: uint32(600 + _draw(seed, 9, 2400)),
            submitDuration: uint32(600 + _draw(seed, 10, 2400)),
            revealDuration: uint32(600 + _draw(seed, 11, 2400)),
            aggregateDuration: uint32(600 + _draw(seed, 18, 2400)),
            rule: rule,
            trimBps: uint16(rule == Rule.TrimmedMean ? 3334 + _draw(seed, 13, 1666) : _draw(seed, 13, 5000)),
            outlierFactorBps: uint32([uint256(10000), 40000, 1_000_000][_draw(seed, 14, 3)]),
            minProjectionBps: uint16([uint256(0), 0, 5000][_draw(seed, 15, 3)]),
            scaleBits: 16,
            clipNormQ: 1 << 16
        });
    }

    /// @dev rounds · (n · reward + (K + 1) · aggregationFee): each round's pay and a fee for each of its K chunks
    /// and its finalizeRound.
    function _budgetOf(JobParams memory p) private view returns (uint256) {
        uint256 chunk = market.chunkWordsFor(p.numDOs, p.groupSize, p.rule);
        uint256 chunks = ((uint256(p.paramCount) + 7) / 8 + chunk - 1) / chunk;
        return uint256(p.rounds) * (uint256(p.numDOs) * p.rewardPerRound + (chunks + 1) * p.aggregationFee);
    }

    /// @dev Books a created job and checks the market's view of it.
    function _recordJob(JobParams memory p, address owner, uint256 budget) private {
        uint256 id = ++_jobCount;
        Job storage j = _jobs[id];
        j.p = p;
        j.owner = owner;
        j.W = (uint256(p.paramCount) + 7) / 8;
        JobInfo memory info = market.jobInfo(id);
        j.C = info.chunkWords;
        j.K = (j.W + j.C - 1) / j.C;
        j.createdAt = block.timestamp;
        j.books.budget = budget;
        held[p.token] += budget;
        paidIn[p.token][owner] += budget;
        bool same = info.owner == owner && j.C == market.chunkWordsFor(p.numDOs, p.groupSize, p.rule) && info.chunkCount == j.K;
        if (!same || market.jobCount() != id) _mismatch("createJob", id);
        if (market.jobBooks(id).budget != budget) _mismatch("budget", id);
    }

    /// @dev Posts `count` model words. Variants: 7 by someone else, 8 not consecutive, 9 past the end.
    function _publish(uint256 id, uint256 count, uint256 variant) internal {
        Job storage j = _jobs[id];
        address sender = variant == 7 ? _outsiders[count % 2] : j.owner;
        uint256 remaining = j.W - j.wordsPosted;
        uint256 first = j.wordsPosted + (variant == 8 ? 1 : 0);
        count = variant == 9 ? remaining + 1 : _bound(count, 1, remaining == 0 ? 1 : remaining);
        bytes memory words = new bytes(32 * count);
        for (uint256 w = 0; w < count; ++w) {
            bytes32 word = keccak256(abi.encode("model word", id, first + w));
            assembly ("memory-safe") {
                mstore(add(add(words, 0x20), shl(5, w)), word)
            }
        }
        bytes memory expected;
        Phase ph = phaseOf(id);
        if (sender != j.owner) expected = abi.encodeWithSelector(IOmniMarket.MarketNotOwner.selector, id, sender);
        else if (ph != Phase.Publishing) {
            expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, Phase.Publishing);
        } else if (first != j.wordsPosted) {
            expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedWord.selector, id, j.wordsPosted, first);
        } else if (first + count > j.W) {
            expected = abi.encodeWithSelector(IOmniMarket.MarketInvalidWordsLength.selector, id, words.length);
        }
        if (!_expect(sender, 0, abi.encodeCall(IOmniMarket.publishModel, (id, first, words)), expected, "publishModel")) return;
        j.modelHash = keccak256(abi.encodePacked(j.modelHash, keccak256(words)));
        j.wordsPosted += count;
        if (market.jobInfo(id).modelHash != j.modelHash) _mismatch("model hash chain", id);
    }

    /// @dev Data-owner actor `actor` joins. Variants: 7 an invalid key, 8 a wrong payment, 9 a second join.
    function _join(uint256 id, uint256 actor, uint256 variant) internal {
        Job storage j = _jobs[id];
        address who = variant == 9 && _roster[id].length > 0 ? _roster[id][0] : _dataOwners[actor];
        (uint256 x, uint256 y) = Keys.publicKey(_actorPlusOne[who] - 1);
        if (variant == 7) (x, y) = actor % 2 == 0 ? (uint256(1), uint256(2)) : (uint256(0), BABYJUB_P - 1);
        bool eth = j.p.token == address(0);
        uint256 value = variant == 8 ? (eth ? j.p.stake + 1 : 1) : (eth ? j.p.stake : 0);
        bytes memory expected;
        Phase ph = phaseOf(id);
        if (ph != Phase.Joining) expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, Phase.Joining);
        else if (_indexPlusOne[id][who] != 0) expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadyJoined.selector, id, who);
        else if (variant == 7) expected = abi.encodeWithSelector(IOmniMarket.MarketInvalidKey.selector, x, y);
        else if (variant == 8) {
            expected = abi.encodeWithSelector(IOmniMarket.MarketWrongValue.selector, eth ? j.p.stake : 0, value);
        }
        if (!_expect(who, value, abi.encodeCall(IOmniMarket.join, (id, x, y)), expected, "join")) return;
        _roster[id].push(who);
        _indexPlusOne[id][who] = _roster[id].length;
        j.books.stakes += j.p.stake;
        held[j.p.token] += j.p.stake;
        paidIn[j.p.token][who] += j.p.stake;
        if (_roster[id].length == j.p.numDOs) _openRound(id, 0);
    }

    /// @dev Opens round `round` in the record, its groups drawn from this block's hash (unknown until the next
    /// block), and checks the market opened the same round with no groups yet.
    function _openRound(uint256 id, uint256 round) internal {
        Job storage j = _jobs[id];
        j.round = round;
        j.drawBlock = block.number;
        j.randomness = 0;
        j.members = ((uint256(1) << j.p.numDOs) - 1) & ~(j.slashed | j.forfeited);
        j.openedAt = block.timestamp;
        j.commitEndedAt = 0;
        j.submitEndedAt = 0;
        j.committed = 0;
        j.submitted = 0;
        j.revealed = 0;
        j.contradicted = 0;
        j.convicted = 0;
        j.falseCommitters = 0;
        j.chunksAggregated = 0;
        j.absent = 0;
        RoundInfo memory info = market.roundInfo(id);
        if (info.randomness != 0 || info.drawBlock != block.number || info.members != j.members || info.index != round) {
            _mismatch("round opening", id);
        }
        if (market.groups(id).length != 0) _mismatch("groups before the draw", id);
    }

    /// @dev Whether the current round's groups can be drawn now (or were): its draw block's hash is readable.
    function _drawable(uint256 id) internal view returns (bool) {
        return _randomness(id) != 0;
    }

    /// @dev Cancels (anyone may). Expected: out of phase unless Cancelled; a second cancel is refused.
    function _cancel(uint256 id, address caller) internal {
        Job storage j = _jobs[id];
        bytes memory expected;
        Phase ph = phaseOf(id);
        if (ph != Phase.Cancelled) expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, Phase.Cancelled);
        else if (j.closed) expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadySettled.selector, id);
        vm.recordLogs();
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.cancel, (id)), expected, "cancel")) return;
        _checkCredits(vm.getRecordedLogs(), id, 0, 0);
        j.closed = true;
        j.books.refunded = j.books.budget;
        j.books.stakesReturned = _roster[id].length * j.p.stake;
        _credit(id, j.owner, j.books.budget);
        for (uint256 i = 0; i < _roster[id].length; ++i) _credit(id, _roster[id][i], j.p.stake);
        ++jobsCancelled;
    }

    /// @dev Releases `account`'s credit in `asset` (anyone may); checks the amount arrived.
    function _release(address asset, address account, address caller) internal {
        uint256 amount = owed(asset, account);
        bytes memory expected;
        if (amount == 0) expected = abi.encodeWithSelector(IOmniMarket.MarketNothingToRelease.selector, asset, account);
        uint256 before = asset == address(0) ? account.balance : token.balanceOf(account);
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.release, (asset, account)), expected, "release")) return;
        uint256 afterwards = asset == address(0) ? account.balance : token.balanceOf(account);
        if (afterwards != before + amount) _mismatch("released amount", 0);
        released[asset][account] += amount;
        held[asset] -= amount;
        ++releases;
    }

    /// @dev Credits `amount` of job `id`'s token to `account` in the record.
    function _credit(uint256 id, address account, uint256 amount) internal {
        if (amount != 0) credited[_jobs[id].p.token][account] += amount;
    }

    /// @dev Every Credited event of a call is the first of its kind for its job and account (rewards: for its
    /// round; aggregation fees: for its round and aggregation step, chunk k or K for finalizeRound).
    function _checkCredits(Vm.Log[] memory logs, uint256 id, uint256 round, uint256 step) internal {
        for (uint256 q = 0; q < logs.length; ++q) {
            Vm.Log memory l = logs[q];
            if (l.emitter != address(market) || l.topics[0] != IOmniMarket.Credited.selector) continue;
            (uint8 kind, ) = abi.decode(l.data, (uint8, uint256));
            bool perRound = kind == uint8(CreditKind.Reward) || kind == uint8(CreditKind.AggregationFee);
            uint256 at = kind == uint8(CreditKind.AggregationFee) ? step : 0;
            bytes32 key = keccak256(abi.encode(l.topics[1], kind, perRound ? round : type(uint256).max, at, l.topics[3]));
            if (_creditSeen[key]) {
                ++doubleCredits;
                _finding(string.concat("credited twice in job ", vm.toString(id)));
            }
            _creditSeen[key] = true;
        }
    }

    /// @dev A view of the market disagrees with the record.
    function _mismatch(string memory what, uint256 id) internal {
        ++modelMismatches;
        _finding(string.concat(what, " differs from the record in job ", vm.toString(id)));
    }

    /// @dev Value number `k` in [0, size) drawn from `seed`.
    function _draw(uint256 seed, uint256 k, uint256 size) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, k))) % size;
    }

    /// @dev `bound` for handler inputs.
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return bound(x, lo, hi);
    }
}
