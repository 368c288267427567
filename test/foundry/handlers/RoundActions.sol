// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOmniMarket} from "../../../contracts/interfaces/IOmniMarket.sol";
import {OmniMarket} from "../../../contracts/OmniMarket.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {Phase, RoundResult} from "../../../contracts/types/MarketTypes.sol";
import {MarketActions} from "./MarketActions.sol";
import {Protocol} from "../utils/Protocol.sol";

/// @title RoundActions: commit, submit, reveal, aggregate and finalize as round members and bystanders play them
/// @notice Variants 0–5 are honest. The others either change what the round will do (a mismatched commitment, a
/// garbage vector, a dropout, a lie, silence) or must be refused with a named error (a wrong round, count, chunk,
/// length, peer list or slice).
abstract contract RoundActions is MarketActions {
    constructor(OmniMarket market_, MockERC20 token_) MarketActions(market_, token_) {}

    /// @dev Member `i` commits. Variants: 6 one garbage commitment, 7 one too many, 8 the next round, 9 sits out.
    function _commit(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 9) {
            j.absent |= uint256(1) << i;
            return;
        }
        address who = _roster[id][i];
        uint256 round = j.round + (variant == 8 ? 1 : 0);
        bytes memory expected = _roundChecks(id, Phase.Commit, round, who);
        uint256[][] memory gs = _groups(id);
        uint256[] memory peers = _groupOf(gs, i) < gs.length ? _peers(gs, i) : new uint256[](0);
        bytes32[] memory commitments = new bytes32[](peers.length + (variant == 7 ? 1 : 0));
        for (uint256 q = 0; q < peers.length; ++q) {
            commitments[q] = Protocol.commitmentOf(_ctx(id), i, peers[q], _seed(id, i, peers[q]));
        }
        if (variant == 6 && peers.length > 0) commitments[id % peers.length] = keccak256(abi.encode("garbage", id, i));
        if (expected.length == 0) {
            if ((j.committed >> i) & 1 == 1) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadyCommitted.selector, id, round, i);
            } else if (commitments.length != peers.length) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketWrongCommitmentCount.selector, id, peers.length, commitments.length);
            }
        }
        bytes memory data = abi.encodeCall(IOmniMarket.commitSeeds, (id, round, commitments));
        if (!_expect(who, 0, data, expected, "commitSeeds")) return;
        _recordCommit(id, i, gs, commitments);
    }

    /// @dev Books member `i`'s commitments and the pairs they activate; checks the market's active peers.
    function _recordCommit(uint256 id, uint256 i, uint256[][] memory gs, bytes32[] memory commitments) private {
        Job storage j = _jobs[id];
        uint256[] memory peers = _peers(gs, i);
        _commitments[_key(id, j.round, i)] = commitments;
        uint256 active;
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 k = peers[q];
            if ((j.committed >> k) & 1 == 0) continue;
            // The peer's commitment slot for i: i's position among k's peers.
            uint256[] memory theirs = _peers(gs, k);
            uint256 slot;
            while (theirs[slot] != i) ++slot;
            if (_commitments[_key(id, j.round, k)][slot] == commitments[q]) {
                active |= uint256(1) << k;
                _active[_key(id, j.round, k)] |= uint256(1) << i;
            }
        }
        _active[_key(id, j.round, i)] = active;
        j.committed |= uint256(1) << i;
        if (j.committed == j.members) j.commitEndedAt = block.timestamp;
        for (uint256 q = 0; q < peers.length; ++q) {
            uint256 expected = (j.committed >> peers[q]) & 1 == 1 ? _active[_key(id, j.round, peers[q])] : 0;
            if (market.activePeers(id, peers[q]) != expected) _mismatch("active peers", id);
        }
        if (market.activePeers(id, i) != active) _mismatch("active peers", id);
    }

    /// @dev Member `i` submits its next chunk(s). Variants: 6 a garbage vector, 7 drops out, 8 one word short,
    /// 9 skips a chunk; odd honest variants post one chunk at a time.
    function _submit(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 7) {
            j.absent |= uint256(1) << i;
            return;
        }
        uint256 first = _chunks[_key(id, j.round, i)] + (variant == 9 ? 1 : 0);
        uint256 last = variant % 2 == 1 ? first + 1 : j.K;
        if (last > j.K) last = j.K;
        if (last < first) last = first;
        (uint256[] memory plain, uint256[] memory masked) = _vector(id, i, _wordAt(j, first), _wordAt(j, last), variant == 6);
        bytes memory words = abi.encodePacked(masked);
        if (variant == 8) {
            assembly ("memory-safe") {
                let short := gt(mload(words), 0)
                mstore(words, sub(mload(words), mul(short, 32)))
                mstore(masked, sub(mload(masked), short))
                mstore(plain, sub(mload(plain), short))
            }
            // When the last chunk is a single word, the words left are still whole chunks: the call is
            // accepted and submits the chunks before it.
            last = _chunkAfter(j, first, words.length);
        }
        address who = _roster[id][i];
        bytes memory expected = _roundChecks(id, Phase.Submit, j.round, who);
        if (expected.length == 0) expected = _submitChecks(id, i, first, words.length);
        if (!_expect(who, 0, abi.encodeCall(IOmniMarket.submitMasked, (id, j.round, first, words)), expected, "submitMasked")) {
            // A member the market refuses for too few active pairs can never submit this round.
            if (bytes4(expected) == IOmniMarket.MarketTooFewActivePeers.selector) j.absent |= uint256(1) << i;
            return;
        }
        _recordSubmit(id, i, first, last, plain, masked);
    }

    /// @dev The chunk after the whole chunks that `length` bytes cover from chunk `first`, or `first` when they
    /// end inside a chunk or run past the last one (the market refuses such a call).
    function _chunkAfter(Job storage j, uint256 first, uint256 length) private view returns (uint256 k) {
        uint256 offset;
        for (k = first; offset < length; ++k) {
            uint256 size = k * j.C >= j.W ? 0 : 32 * (j.W - k * j.C < j.C ? j.W - k * j.C : j.C);
            if (size == 0 || offset + size > length) return first;
            offset += size;
        }
    }

    /// @dev First word of chunk `k` (W past the end).
    function _wordAt(Job storage j, uint256 k) private view returns (uint256) {
        return k * j.C < j.W ? k * j.C : j.W;
    }

    /// @dev Books chunks [first, last) of member `i`'s plaintext and masked words.
    function _recordSubmit(
        uint256 id,
        uint256 i,
        uint256 first,
        uint256 last,
        uint256[] memory plain,
        uint256[] memory masked
    ) private {
        Job storage j = _jobs[id];
        bytes32 key = _key(id, j.round, i);
        if (first == 0) {
            _masked[key] = new uint256[](j.W);
            _plain[key] = new uint256[](j.W);
        }
        uint256 from = _wordAt(j, first);
        for (uint256 w = 0; w < masked.length; ++w) {
            _masked[key][from + w] = masked[w];
            _plain[key][from + w] = plain[w];
        }
        _chunks[key] = last;
        if (last == j.K) {
            j.submitted |= uint256(1) << i;
            if (_pop(j.submitted) == _pop(j.committed)) j.submitEndedAt = block.timestamp;
        }
        if (market.chunksSubmitted(id, i) != last) _mismatch("chunks submitted", id);
    }

    /// @dev Words [fromWord, toWord) of member `i`'s plaintext and masked vector: an honest update masked with
    /// every active pair, or garbage whose plaintext is what unmasking it gives.
    function _vector(
        uint256 id,
        uint256 i,
        uint256 fromWord,
        uint256 toWord,
        bool garbage
    ) private view returns (uint256[] memory plain, uint256[] memory masked) {
        Job storage j = _jobs[id];
        uint256[] memory peers = _activeList(id, i);
        bytes32[] memory seeds = new bytes32[](peers.length);
        for (uint256 q = 0; q < peers.length; ++q) seeds[q] = _seed(id, i, peers[q]);
        plain = new uint256[](toWord - fromWord);
        masked = new uint256[](toWord - fromWord);
        for (uint256 w = fromWord; w < toWord; ++w) {
            if (garbage) {
                masked[w - fromWord] = uint256(keccak256(abi.encode("garbage vector", id, j.round, i, w)));
                plain[w - fromWord] = Protocol.unmaskWord(masked[w - fromWord], i, peers, seeds, w);
            } else {
                plain[w - fromWord] = Protocol.updateWord(j.p.paramCount, j.round, w, keccak256(abi.encode(id, i)));
                masked[w - fromWord] = Protocol.maskWord(plain[w - fromWord], i, peers, seeds, w);
            }
        }
    }

    /// @dev The first refusal of a submission of `length` bytes from chunk `first`, after the round checks.
    function _submitChecks(uint256 id, uint256 i, uint256 first, uint256 length) internal view returns (bytes memory) {
        Job storage j = _jobs[id];
        bytes32 key = _key(id, j.round, i);
        if ((j.committed >> i) & 1 == 0) return abi.encodeWithSelector(IOmniMarket.MarketNotCommitted.selector, id, j.round, i);
        uint256 active = _pop(_active[key]);
        if (active < 2) return abi.encodeWithSelector(IOmniMarket.MarketTooFewActivePeers.selector, id, j.round, i, active);
        if (first != _chunks[key]) return abi.encodeWithSelector(IOmniMarket.MarketUnexpectedChunk.selector, id, _chunks[key], first);
        uint256 offset;
        uint256 k = first;
        while (offset < length) {
            uint256 size = k * j.C >= j.W ? 0 : 32 * (j.W - k * j.C < j.C ? j.W - k * j.C : j.C);
            if (size == 0 || offset + size > length) break;
            offset += size;
            ++k;
        }
        if (offset != length || k == first) return abi.encodeWithSelector(IOmniMarket.MarketInvalidWordsLength.selector, id, length);
        return "";
    }

    /// @dev Submitter `i` reveals its dropped peers' seeds. Variants: 6 a lie, 7 stays silent, 8 a peer missing.
    function _reveal(uint256 id, uint256 i, uint256 variant) internal {
        Job storage j = _jobs[id];
        if (variant == 7) {
            j.absent |= uint256(1) << i;
            return;
        }
        address who = _roster[id][i];
        uint256[][] memory gs = _groups(id);
        uint256 targets = _groupOf(gs, i) < gs.length ? _targets(id, gs, i) : 0;
        uint256[] memory peers = _list(targets);
        if (variant == 8 && peers.length > 0) {
            assembly ("memory-safe") {
                mstore(peers, sub(mload(peers), 1))
            }
        }
        bytes32[] memory seeds = new bytes32[](peers.length);
        for (uint256 q = 0; q < peers.length; ++q) seeds[q] = _seed(id, i, peers[q]);
        if (variant == 6 && peers.length > 0) seeds[0] = keccak256(abi.encode("a lie", id, i));
        bytes memory expected = _roundChecks(id, Phase.Reveal, j.round, who);
        if (expected.length == 0) {
            if ((j.submitted >> i) & 1 == 0) expected = abi.encodeWithSelector(IOmniMarket.MarketNotSubmitter.selector, id, j.round, i);
            else if ((j.revealed >> i) & 1 == 1) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAlreadyRevealed.selector, id, j.round, i);
            } else if (targets == 0) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketNothingToReveal.selector, id, j.round, i);
            } else if (_bits(peers) != targets) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketRevealMismatch.selector, id, i, targets, _bits(peers));
            }
        }
        if (!_expect(who, 0, abi.encodeCall(IOmniMarket.revealSeeds, (id, j.round, peers, seeds)), expected, "revealSeeds")) return;
        j.revealed |= uint256(1) << i;
        if (variant == 6) j.contradicted |= uint256(1) << i;
    }

    /// @dev Aggregates the next chunk (anyone may). Variants: 6 a flipped byte, 7 a word short, 8 the next
    /// round, 9 a chunk ahead.
    function _aggregate(uint256 id, address caller, uint256 variant) internal {
        Job storage j = _jobs[id];
        uint256 round = j.round + (variant == 8 ? 1 : 0);
        uint256 k = j.chunksAggregated + (variant == 9 ? 1 : 0);
        uint256[][] memory gs = _groups(id);
        uint256[] memory slices = _slices(id, gs);
        bytes memory data = _chunkData(id, slices, k);
        if (variant == 7 && data.length >= 32) {
            assembly ("memory-safe") {
                mstore(data, sub(mload(data), 32))
            }
        }
        uint256 flipped = type(uint256).max;
        if (variant == 6 && data.length > 0) {
            flipped = (id * 7919 + k) % data.length;
            data[flipped] = bytes1(uint8(data[flipped]) ^ 0x01);
        }
        bytes memory expected = _anyoneChecks(id, Phase.Aggregate, round);
        if (expected.length == 0) {
            uint256 sliceBytes = 32 * _chunkLength(j, k);
            if (slices.length == 0) expected = abi.encodeWithSelector(IOmniMarket.MarketNoEligibleGroup.selector, id, round);
            else if (k != j.chunksAggregated || k >= j.K) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketUnexpectedChunk.selector, id, j.chunksAggregated, k);
            } else if (data.length != slices.length * sliceBytes) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketInvalidDataLength.selector, id, slices.length * sliceBytes, data.length);
            } else if (flipped != type(uint256).max) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketChunkHashMismatch.selector, id, slices[flipped / sliceBytes], k);
            }
        }
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.aggregateChunk, (id, round, k, data)), expected, "aggregateChunk")) return;
        ++j.chunksAggregated;
    }

    /// @dev Submitters of the eligible groups in the aggregation data's order.
    function _slices(uint256 id, uint256[][] memory gs) internal view returns (uint256[] memory slices) {
        Job storage j = _jobs[id];
        uint256 eligible = j.members == 0 ? 0 : _eligibleBits(id, gs);
        uint256 count;
        for (uint256 k = 0; k < gs.length; ++k) {
            if ((eligible >> k) & 1 == 1) count += _pop(j.submitted & _bits(gs[k]));
        }
        slices = new uint256[](count);
        uint256 s;
        for (uint256 k = 0; k < gs.length; ++k) {
            if ((eligible >> k) & 1 == 0) continue;
            uint256[] memory subs = _list(j.submitted & _bits(gs[k]));
            for (uint256 u = 0; u < subs.length; ++u) slices[s++] = subs[u];
        }
    }

    /// @dev Chunk `k` of every slice's submitted words, back to back.
    function _chunkData(uint256 id, uint256[] memory slices, uint256 k) internal view returns (bytes memory data) {
        Job storage j = _jobs[id];
        uint256 len = _chunkLength(j, k);
        data = new bytes(32 * len * slices.length);
        for (uint256 s = 0; s < slices.length; ++s) {
            uint256[] storage words = _masked[_key(id, j.round, slices[s])];
            for (uint256 w = 0; w < len; ++w) {
                uint256 word = words[k * j.C + w];
                assembly ("memory-safe") {
                    mstore(add(add(data, 0x20), shl(5, add(mul(s, len), w))), word)
                }
            }
        }
    }

    /// @dev Words in chunk `k` (0 past the last).
    function _chunkLength(Job storage j, uint256 k) internal view returns (uint256) {
        if (k * j.C >= j.W) return 0;
        return j.W - k * j.C < j.C ? j.W - k * j.C : j.C;
    }

    /// @dev Finalizes the round (anyone may) and checks result, pay, slashes and settlement against the
    /// record. Variant 9: the next round.
    function _finalize(uint256 id, address caller, uint256 variant) internal {
        Job storage j = _jobs[id];
        uint256 round = j.round + (variant == 9 ? 1 : 0);
        bytes memory expected = _anyoneChecks(id, Phase.Aggregate, round);
        Outcome memory o;
        if (expected.length == 0) {
            o = _outcome(id);
            if (o.eligible != 0 && j.chunksAggregated < j.K) {
                expected = abi.encodeWithSelector(IOmniMarket.MarketAggregationIncomplete.selector, id, round, j.chunksAggregated, j.K);
            }
        }
        // The finalize that opens the next round fixes its randomness from PREVRANDAO: vary it.
        vm.prevrandao(keccak256(abi.encode(id, round, block.timestamp)));
        vm.recordLogs();
        if (!_expect(caller, 0, abi.encodeCall(IOmniMarket.finalizeRound, (id, round)), expected, "finalizeRound")) return;
        _checkCredits(vm.getRecordedLogs(), id, round);
        _compareResult(id, o);
        ++roundsFinalized;
        for (uint256 i = 0; i < j.p.numDOs; ++i) {
            if ((o.paid >> i) & 1 == 0) continue;
            j.books.paid += j.p.rewardPerRound;
            _credit(id, _roster[id][i], j.p.rewardPerRound);
            ++rewardsCredited;
        }
        j.slashed |= o.slashes;
        j.books.slashed += _pop(o.slashes) * j.p.stake;
        slashes += _pop(o.slashes);
        uint256 remaining = j.p.numDOs - _pop(j.slashed);
        if (o.eligible != 0 && round + 1 < j.p.rounds && remaining >= j.p.groupSize) {
            _openRound(id, round + 1);
        } else {
            j.closed = true;
            j.books.refunded = j.books.budget - j.books.paid;
            _credit(id, j.owner, j.books.refunded + j.books.slashed);
            for (uint256 i = 0; i < j.p.numDOs; ++i) {
                if ((j.slashed >> i) & 1 == 0) _credit(id, _roster[id][i], j.p.stake);
            }
            j.books.stakesReturned = remaining * j.p.stake;
            ++jobsCompleted;
        }
        if (market.jobInfo(id).slashedMembers != j.slashed) _mismatch("slashed members", id);
    }

    /// @dev The market's round result against the plaintext recomputation.
    function _compareResult(uint256 id, Outcome memory o) private {
        RoundResult memory r = market.roundResult(id, _jobs[id].round);
        if (r.eligibleGroups != o.eligible) _mismatch("eligible groups", id);
        if (r.inlierGroups != o.inliers) _mismatch("inlier groups", id);
        if (r.aggregateHash != o.aggregateHash) _mismatch("aggregate of the plaintext means", id);
        if (r.medianDistance != o.medianDistance || r.aggNorm != o.aggNorm) _mismatch("distances", id);
    }
}
