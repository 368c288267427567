// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../../contracts/interfaces/IOmniMarket.sol";
import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {Phase} from "../../../contracts/types/MarketTypes.sol";
import {RoundActions} from "./RoundActions.sol";
import {Keys} from "../utils/Keys.sol";

/// @title MarketHandler: the only target of the invariant fuzzer; plays model owners, data owners and outsiders
/// over several concurrent ETH and ERC-20 jobs
/// @notice Every entry point bounds its inputs, picks a job (mostly one in the phase the action needs, else any
/// job, so out-of-phase calls happen), acts through RoundActions / MarketActions and then observes every job's
/// phase. `advance` plays several next honest steps in a row, with occasional misbehaviour and deadline
/// passes, so whole jobs complete within a run.
contract MarketHandler is RoundActions {
    uint256 internal constant MAX_JOBS = 8;
    uint256 internal constant MAX_LIVE = 2;

    mapping(uint256 jobId => uint256) internal _seenPhasePlusOne;
    mapping(uint256 jobId => uint256) internal _seenRound;

    constructor(OmniMarket market_, MockERC20 token_) RoundActions(market_, token_) {}

    // ------------------------------------------------------------------ entry points

    /// @notice A model owner posts a job (variant 6: a window below its floor, 7: too few groups, 8: an invalid
    /// parameter, 9: a wrong payment).
    function createJob(uint256 seed, uint256 variant) external {
        if (_jobCount >= MAX_JOBS || _live().length > MAX_LIVE) return;
        _create(seed, _bound(variant, 0, 9));
        _observe();
    }

    /// @notice The model owner posts model words (7: someone else, 8: not consecutive, 9: past the end).
    function publishModel(uint256 jobSeed, uint256 count, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Publishing);
        if (id == 0) return;
        _publish(id, count, _bound(variant, 0, 9));
        _observe();
    }

    /// @notice A data owner joins (7: an invalid key, 8: a wrong payment, 9: a second join).
    function join(uint256 jobSeed, uint256 actorSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Joining);
        if (id == 0) return;
        _join(id, _freeActor(id, actorSeed), _bound(variant, 0, 9));
        _observe();
    }

    /// @notice A round member commits its pair-seed commitments.
    function commitSeeds(uint256 jobSeed, uint256 memberSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Commit);
        if (id == 0) return;
        if (phaseOf(id) != Phase.Commit) return _outOfPhase(id, IOmniMarket.commitSeeds.selector, memberSeed);
        Job storage j = _jobs[id];
        (bool found, uint256 i) = _member(id, j.members & ~j.committed & ~j.absent, memberSeed);
        if (found) _commit(id, i, _bound(variant, 0, 9));
        _observe();
    }

    /// @notice A committer submits masked chunks.
    function submitMasked(uint256 jobSeed, uint256 memberSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Submit);
        if (id == 0) return;
        if (phaseOf(id) != Phase.Submit) return _outOfPhase(id, IOmniMarket.submitMasked.selector, memberSeed);
        Job storage j = _jobs[id];
        (bool found, uint256 i) = _member(id, j.committed & ~j.submitted & ~j.absent, memberSeed);
        if (found) _submit(id, i, _bound(variant, 0, 9));
        _observe();
    }

    /// @notice A submitter reveals the seeds it shares with dropped peers.
    function revealSeeds(uint256 jobSeed, uint256 memberSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Reveal);
        if (id == 0) return;
        if (phaseOf(id) != Phase.Reveal) return _outOfPhase(id, IOmniMarket.revealSeeds.selector, memberSeed);
        (bool found, uint256 i) = _member(id, _dueReveals(id), memberSeed);
        if (found) _reveal(id, i, _bound(variant, 0, 8));
        _observe();
    }

    /// @notice Anyone aggregates the next chunk.
    function aggregateChunk(uint256 jobSeed, uint256 callerSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Aggregate);
        if (id == 0) return;
        if (phaseOf(id) != Phase.Aggregate) return _outOfPhase(id, IOmniMarket.aggregateChunk.selector, callerSeed);
        _aggregate(id, _anyone(callerSeed), _bound(variant, 0, 9));
        _observe();
    }

    /// @notice Anyone finalizes the round.
    function finalizeRound(uint256 jobSeed, uint256 callerSeed, uint256 variant) external {
        uint256 id = _pick(jobSeed, Phase.Aggregate);
        if (id == 0) return;
        if (phaseOf(id) != Phase.Aggregate) return _outOfPhase(id, IOmniMarket.finalizeRound.selector, callerSeed);
        _finalize(id, _anyone(callerSeed), _bound(variant, 0, 9));
        _observe();
    }

    /// @notice Anyone cancels a job whose roster did not fill in time.
    function cancel(uint256 jobSeed, uint256 callerSeed) external {
        uint256 id = _pick(jobSeed, Phase.Cancelled);
        if (id == 0) return;
        _cancel(id, _anyone(callerSeed));
        _observe();
    }

    /// @notice Anyone releases an account's credit: mostly one that has some, sometimes one that has none.
    function release(uint256 accountSeed, uint256 callerSeed, bool erc20) external {
        _releaseSome(accountSeed, callerSeed, erc20);
        _observe();
    }

    /// @notice An outsider or an ejected member calls what only others may: publish (not the owner), round calls
    /// (not a member, or not a member of this round), a submission relayed by a contract or another account's
    /// transaction, a commitment dispute whose proof proves nothing, or any call on a job that does not exist.
    function intrude(uint256 jobSeed, uint256 kind, uint256 seed) external {
        kind = _bound(kind, 0, 6);
        if (kind == 4 || _jobCount == 0) {
            uint256 none = _jobCount + 1;
            bytes memory expected = abi.encodeWithSelector(IOmniMarket.MarketUnknownJob.selector, none);
            _expect(_outsiders[seed % 2], 0, abi.encodeCall(IOmniMarket.finalizeRound, (none, 0)), expected, "unknown job");
            return _observe();
        }
        if (kind == 6) {
            uint256 disputed = _pick(jobSeed, Phase.Submit);
            if (_roster[disputed].length == 0) return _observe();
            _dispute(disputed, seed % _roster[disputed].length, seed / 256);
            return _observe();
        }
        uint256 id = 1 + jobSeed % _jobCount;
        Job storage j = _jobs[id];
        if (kind == 0) {
            _publish(id, seed, 7);
            return _observe();
        }
        if (kind == 5) {
            // Masked words only straight from the member's own transaction: refused before membership is read.
            address sender = _roster[id].length > 0 ? _roster[id][seed % _roster[id].length] : _outsiders[seed % 2];
            Phase ph = phaseOf(id);
            bytes memory refused = ph != Phase.Submit
                ? abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, ph, Phase.Submit)
                : abi.encodeWithSelector(IOmniMarket.MarketSubmitterNotDirect.selector, id, sender);
            bytes memory call = abi.encodeCall(IOmniMarket.submitMasked, (id, j.round, 0, new bytes(32 * j.C)));
            _expectVia(sender, _outsiders[(seed / 7) % 2], 0, call, refused, "relayed submission");
            return _observe();
        }
        Phase wanted = kind == 1 ? Phase.Commit : kind == 2 ? Phase.Submit : Phase.Reveal;
        address who = _outsiders[seed % 2];
        // A member ejected (slashed, or for a missed commit) in an earlier round, when there is one.
        uint256 ejected = j.slashed | j.forfeited;
        if (ejected & j.members == 0 && ejected != 0 && seed % 2 == 0) who = _roster[id][_list(ejected)[0]];
        bytes memory data = kind == 1
            ? abi.encodeCall(IOmniMarket.commitSeeds, (id, j.round, new bytes32[](2)))
            : kind == 2
                ? abi.encodeCall(IOmniMarket.submitMasked, (id, j.round, 0, new bytes(32)))
                : abi.encodeCall(IOmniMarket.revealSeeds, (id, j.round, new uint256[](0), new bytes32[](0)));
        _expect(who, 0, data, _roundChecks(id, wanted, j.round, who), "intrude");
        _observe();
    }

    /// @notice Plays `steps` next steps of live jobs, mostly honest: how whole jobs get done in one run.
    function advance(uint256 jobSeed, uint256 seed, uint256 steps) external {
        steps = _bound(steps, 1, 24);
        for (uint256 s = 0; s < steps; ++s) {
            _progress(jobSeed % 1e9 + s, uint256(keccak256(abi.encode(seed, s))));
            _observe();
        }
    }

    /// @notice Lets time pass.
    function wait(uint256 seconds_) external {
        _warp(block.timestamp + _bound(seconds_, 1, 600));
        _observe();
    }

    // ------------------------------------------------------------------ choosing

    /// @dev A job: mostly one in phase `wanted` when there is one, else any job (0: none exists).
    function _pick(uint256 seed, Phase wanted) internal view returns (uint256) {
        if (_jobCount == 0) return 0;
        if (seed % 4 != 0) {
            uint256 ready;
            for (uint256 id = 1; id <= _jobCount; ++id) {
                if (phaseOf(id) == wanted && !_jobs[id].closed) ++ready;
            }
            if (ready != 0) {
                uint256 nth = (seed / 4) % ready;
                for (uint256 id = 1; id <= _jobCount; ++id) {
                    if (phaseOf(id) != wanted || _jobs[id].closed) continue;
                    if (nth == 0) return id;
                    --nth;
                }
            }
        }
        return 1 + (seed / 4) % _jobCount;
    }

    /// @dev A member from `candidates`; one time in five any roster index instead (refusals follow).
    function _member(uint256 id, uint256 candidates, uint256 seed) internal view returns (bool, uint256) {
        uint256 n = _roster[id].length;
        if (n == 0) return (false, 0);
        if (seed % 5 == 0) return (true, (seed / 5) % n);
        uint256[] memory list = _list(candidates);
        if (list.length == 0) return (false, 0);
        return (true, list[(seed / 5) % list.length]);
    }

    /// @dev A data-owner actor not yet on the job's roster (any actor if all joined).
    function _freeActor(uint256 id, uint256 seed) internal view returns (uint256) {
        for (uint256 q = 0; q < Keys.COUNT; ++q) {
            uint256 a = (seed % Keys.COUNT + q) % Keys.COUNT;
            if (_indexPlusOne[id][_dataOwners[a]] == 0) return a;
        }
        return seed % Keys.COUNT;
    }

    /// @dev Any actor or outsider.
    function _anyone(uint256 seed) internal view returns (address) {
        uint256 k = seed % (4 + Keys.COUNT);
        if (k < 2) return _owners[k];
        if (k < 2 + Keys.COUNT) return _dataOwners[k - 2];
        return _outsiders[k - 2 - Keys.COUNT];
    }

    /// @dev Submitters that still owe a reveal and are not sitting it out.
    function _dueReveals(uint256 id) internal view returns (uint256 due) {
        Job storage j = _jobs[id];
        uint256[][] memory gs = _groups(id);
        uint256 pending = j.submitted & ~j.revealed & ~j.absent;
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((pending >> i) & 1 == 1 && _targets(id, gs, i) != 0) due |= uint256(1) << i;
        }
    }

    // ------------------------------------------------------------------ playing

    /// @dev A call made in the wrong phase: it must be refused with MarketUnexpectedPhase, whoever sends it.
    function _outOfPhase(uint256 id, bytes4 selector, uint256 seed) internal {
        Job storage j = _jobs[id];
        address who = _roster[id].length > 0 ? _roster[id][seed % _roster[id].length] : _outsiders[seed % 2];
        Phase wanted = selector == IOmniMarket.commitSeeds.selector
            ? Phase.Commit
            : selector == IOmniMarket.submitMasked.selector
                ? Phase.Submit
                : selector == IOmniMarket.revealSeeds.selector ? Phase.Reveal : Phase.Aggregate;
        bytes memory data;
        if (selector == IOmniMarket.commitSeeds.selector) data = abi.encodeCall(IOmniMarket.commitSeeds, (id, j.round, new bytes32[](2)));
        else if (selector == IOmniMarket.submitMasked.selector) {
            data = abi.encodeCall(IOmniMarket.submitMasked, (id, j.round, 0, new bytes(32 * j.C)));
        } else if (selector == IOmniMarket.revealSeeds.selector) {
            data = abi.encodeCall(IOmniMarket.revealSeeds, (id, j.round, new uint256[](1), new bytes32[](1)));
        } else if (selector == IOmniMarket.aggregateChunk.selector) {
            data = abi.encodeCall(IOmniMarket.aggregateChunk, (id, j.round, j.chunksAggregated, new bytes(96)));
        } else {
            data = abi.encodeCall(IOmniMarket.finalizeRound, (id, j.round));
        }
        bytes memory expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedPhase.selector, id, phaseOf(id), wanted);
        _expect(who, 0, data, expected, "out of phase");
        _observe();
    }

    /// @dev The next step of a live job, as its actors would take it; creates a job when few are live.
    function _progress(uint256 n, uint256 r) internal {
        uint256[] memory live = _live();
        if (live.length < MAX_LIVE && _jobCount < MAX_JOBS) return _create(r, 0);
        if (live.length == 0) return _warp(block.timestamp + 1);
        if (r % 100 < 8) return _releaseSome(r >> 8, r >> 16, (r >> 24) % 2 == 1);
        // The first live job from `n` with someone to act; when every job waits for a deadline, the earliest
        // deadline passes (so no other job's window is cut short by it).
        uint256 id;
        for (uint256 q = 0; q < live.length && id == 0; ++q) {
            uint256 at = (n % live.length + q) % live.length;
            if (_actionable(live[at])) id = live[at];
        }
        if (id == 0) return _passDeadline(_earliest(live));
        Job storage j = _jobs[id];
        Phase ph = phaseOf(id);
        // Now and then a member misbehaves in a way that changes the round (never one that is refused).
        // Per mille: jobs have nine or ten members in groups of three, where one bad member voids its group's
        // round (and with it the round), so each member misbehaves rarely and about half the rounds are clean.
        uint256 bad = (r >> 32) % 1000;
        uint256 pick = r >> 40;
        if (ph == Phase.Publishing) return _publish(id, j.W - j.wordsPosted, 0);
        // Now and then a roster does not fill in time and the job is cancelled.
        if (ph == Phase.Joining && bad < 10) return _passDeadline(id);
        if (ph == Phase.Joining) return _join(id, _freeActor(id, pick), 0);
        if (ph == Phase.Cancelled) return _cancel(id, _anyone(pick));
        if (ph == Phase.Aggregate) {
            bool aggregable = _pop(_countedGroups(id)) >= _needed(j.p) && j.chunksAggregated < j.K;
            uint256 deadline = _aggregateDeadline(j);
            // Now and then nobody aggregates in time: after the deadline the round settles without its aggregate.
            if (aggregable && block.timestamp <= deadline && bad < 50) return _warp(deadline + 1);
            if (aggregable && block.timestamp <= deadline) return _aggregate(id, _anyone(pick), 0);
            return _finalize(id, _anyone(pick), 0);
        }
        // The groups are drawn from the hash of the block that opened the round: wait for the next block (with a
        // hash of its own, so draws vary), or, once that hash is out of reach, for the commit deadline.
        if (ph == Phase.Commit && !_drawable(id)) {
            if (block.number > j.drawBlock) return _passDeadline(id);
            vm.roll(block.number + 1);
            vm.setBlockhash(j.drawBlock, keccak256(abi.encode("draw block", id, j.round, r)));
            return;
        }
        // Sometimes the members still due let the deadline pass.
        if (bad < (ph == Phase.Commit ? 2 : ph == Phase.Submit ? 5 : 10)) return _passDeadline(id);
        (bool found, uint256 i) = (false, 0);
        if (ph == Phase.Commit) {
            (found, i) = _member(id, j.members & ~j.committed & ~j.absent, pick * 5 + 1);
            if (found) return _commit(id, i, bad < 20 ? 6 : bad < 30 ? 9 : 0);
        } else if (ph == Phase.Submit) {
            // The peer of a false committer proves their pair's seed now and then (the false committer is
            // convicted and its group void), else the pair just stays inactive.
            (bool disputable, uint256 disputer, uint256 accused) = _mismatchedPair(id);
            if (disputable && pick % 2 == 0) return _proveDispute(id, disputer, accused);
            (found, i) = _member(id, j.committed & ~j.submitted & ~j.absent, pick * 5 + 1);
            // Dropouts are likeliest where a group keeps 3 submitters, so its seeds must be revealed.
            if (found) return _submit(id, i, bad < 30 ? 7 : bad < 40 ? 6 : pick % 2);
        } else if (ph == Phase.Reveal) {
            (found, i) = _member(id, _dueReveals(id), pick * 5 + 1);
            if (found) return _reveal(id, i, bad < 30 ? 6 : bad < 50 ? 7 : 0);
        }
        // Nobody left to act in this phase: its deadline passes.
        _passDeadline(id);
    }

    /// @dev Whether someone can act in the job's current phase without waiting for a deadline.
    function _actionable(uint256 id) internal view returns (bool) {
        Job storage j = _jobs[id];
        Phase ph = phaseOf(id);
        if (ph == Phase.Commit) {
            return j.members & ~j.committed & ~j.absent != 0 && (_drawable(id) || block.number == j.drawBlock);
        }
        if (ph == Phase.Submit) return j.committed & ~j.submitted & ~j.absent != 0;
        if (ph == Phase.Reveal) return _dueReveals(id) != 0;
        return ph != Phase.Completed;
    }

    /// @dev The live job whose pending deadline comes first.
    function _earliest(uint256[] memory live) internal view returns (uint256 best) {
        uint256 soonest = type(uint256).max;
        for (uint256 q = 0; q < live.length; ++q) {
            uint256 d = _deadlineOf(live[q]);
            if (d < soonest) (soonest, best) = (d, live[q]);
        }
    }

    /// @dev The deadline the job's current phase waits for (max for phases without one).
    function _deadlineOf(uint256 id) internal view returns (uint256) {
        Job storage j = _jobs[id];
        Phase ph = phaseOf(id);
        if (ph == Phase.Publishing || ph == Phase.Joining) return j.createdAt + j.p.joinDuration;
        if (ph != Phase.Commit && ph != Phase.Submit && ph != Phase.Reveal) return type(uint256).max;
        (uint256 c, uint256 s, uint256 r) = _deadlines(j);
        return ph == Phase.Commit ? c : ph == Phase.Submit ? s : r;
    }

    /// @dev Jobs the record does not have settled.
    function _live() internal view returns (uint256[] memory live) {
        uint256 count;
        for (uint256 id = 1; id <= _jobCount; ++id) if (!_jobs[id].closed) ++count;
        live = new uint256[](count);
        uint256 q;
        for (uint256 id = 1; id <= _jobCount; ++id) if (!_jobs[id].closed) live[q++] = id;
    }

    /// @dev A release of an account with credit (three times in four, when there is one) or of any account.
    function _releaseSome(uint256 accountSeed, uint256 callerSeed, bool erc20) internal {
        address asset = erc20 ? address(token) : address(0);
        address[] memory all = accounts();
        address account = all[accountSeed % all.length];
        if (accountSeed % 4 != 0) {
            for (uint256 q = 0; q < 2 * all.length; ++q) {
                address a = all[(accountSeed % all.length + q / 2) % all.length];
                address t = q % 2 == 0 ? asset : (asset == address(0) ? address(token) : address(0));
                if (owed(t, a) != 0) {
                    (account, asset) = (a, t);
                    break;
                }
            }
        }
        _release(asset, account, _anyone(callerSeed));
    }

    /// @dev Moves the clock just past the deadline the job's current phase waits for.
    function _passDeadline(uint256 id) internal {
        uint256 deadline = _deadlineOf(id);
        _warp(deadline != type(uint256).max && deadline >= block.timestamp ? deadline + 1 : block.timestamp + 1);
    }

    /// @dev Sets the clock (and mines a block).
    function _warp(uint256 t) internal {
        vm.warp(t);
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ observing

    /// @dev Reads every job's phase: it must equal the record's and have moved only along legal transitions.
    function _observe() internal {
        for (uint256 id = 1; id <= _jobCount; ++id) {
            Phase p = market.phase(id);
            uint256 round = market.jobInfo(id).round;
            if (p != phaseOf(id)) _mismatch(string.concat("phase ", vm.toString(uint256(p))), id);
            if (!_legal(_seenPhasePlusOne[id], _seenRound[id], p, round, _txSucceeded)) {
                ++phaseRegressions;
                _finding(
                    string.concat(
                        "job ", vm.toString(id), " moved from phase ", vm.toString(_seenPhasePlusOne[id]),
                        " - 1 to ", vm.toString(uint256(p))
                    )
                );
            }
            _seenPhasePlusOne[id] = uint256(p) + 1;
            _seenRound[id] = round;
        }
        _txSucceeded = false;
    }

    /// @notice The last observed phase and round of a job (phase + 1; 0: never observed).
    function seen(uint256 jobId) external view returns (uint256 phasePlusOne, uint256 round) {
        return (_seenPhasePlusOne[jobId], _seenRound[jobId]);
    }

    /// @notice Whether a job may move from (fromPlusOne − 1, fromRound) to (to, toRound) in one observed step
    /// (`sent`: a market call of that step succeeded). Within a round phases only move forward; a round ends
    /// only from Aggregate, by a transaction, into the next round's Commit or Completed.
    function legal(uint256 fromPlusOne, uint256 fromRound, Phase to, uint256 toRound, bool sent) external pure returns (bool) {
        return _legal(fromPlusOne, fromRound, to, toRound, sent);
    }

    function _legal(uint256 fromPlusOne, uint256 fromRound, Phase to, uint256 toRound, bool sent) internal pure returns (bool) {
        if (fromPlusOne == 0) return to == Phase.Publishing && toRound == 0;
        Phase from = Phase(fromPlusOne - 1);
        if (from == to && fromRound == toRound) return true;
        if (from == Phase.Completed || from == Phase.Cancelled) return false;
        if (from == Phase.Publishing) return toRound == 0 && ((to == Phase.Joining && sent) || to == Phase.Cancelled);
        if (from == Phase.Joining) return toRound == 0 && ((to == Phase.Commit && sent) || to == Phase.Cancelled);
        if (to == Phase.Completed) return sent && from == Phase.Aggregate && toRound == fromRound;
        if (toRound == fromRound + 1) return sent && from == Phase.Aggregate && to == Phase.Commit;
        return toRound == fromRound && uint256(to) > uint256(from) && uint256(to) <= uint256(Phase.Aggregate);
    }
}
