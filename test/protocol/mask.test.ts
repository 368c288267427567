import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toBeHex } from "ethers";
import { addLanes, maskVector, unmaskGroupSum, type RevealedSeed } from "../../src/protocol";

const seedOf = (i: number, j: number) => keccak256(toBeHex(Math.min(i, j) * 1000 + Math.max(i, j), 32));

describe("protocol/mask", () => {
  it("fuzz: masks cancel for every dropout subset that leaves a submitter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 5, maxLength: 5 }), { minLength: n, maxLength: n }),
            fc.array(fc.boolean(), { minLength: n, maxLength: n }).filter((drop) => drop.some((d) => !d)),
            fc.array(fc.boolean(), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }),
          ),
        ),
        async ([n, vectors, dropped, activeBits]) => {
          const members = Array.from({ length: n }, (_, i) => i * 2 + 1);
          const active = new Set<string>();
          let bit = 0;
          for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (activeBits[bit++]) active.add(`${a}:${b}`);
          const isActive = (a: number, b: number) => active.has(`${Math.min(a, b)}:${Math.max(a, b)}`);
          const submitters = members.map((_, a) => a).filter((a) => !dropped[a]);
          const masked = await Promise.all(
            submitters.map((a) =>
              maskVector(
                Uint32Array.from(vectors[a]),
                members[a],
                members.flatMap((m, b) => (b !== a && isActive(a, b) ? [{ index: m, seed: seedOf(members[a], m) }] : [])),
              ),
            ),
          );
          const reveals: RevealedSeed[] = submitters.flatMap((a) =>
            members.flatMap((m, b) => (dropped[b] && isActive(a, b) ? [{ submitter: members[a], dropped: m, seed: seedOf(members[a], m) }] : [])),
          );
          const sum = await unmaskGroupSum({ masked, reveals });
          const expected = new Uint32Array(8);
          for (const a of submitters) addLanes(expected, Uint32Array.from([...vectors[a], 0, 0, 0]));
          expect(Array.from(sum)).to.deep.equal(Array.from(expected));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("hides the vector when there is at least one active peer", async () => {
    const q = new Uint32Array(16);
    const y = await maskVector(q, 0, [{ index: 1, seed: seedOf(0, 1) }]);
    expect(y.some((v) => v !== 0)).to.equal(true);
  });

  it("masks from a global word offset consistently with the whole vector", async () => {
    const q = Uint32Array.from({ length: 32 }, (_, i) => i);
    const peers = [{ index: 3, seed: seedOf(1, 3) }];
    const whole = await maskVector(q, 1, peers);
    const tail = await maskVector(q.subarray(16), 1, peers, 2);
    expect(Array.from(tail)).to.deep.equal(Array.from(whole.subarray(16)));
  });

  it("rejects a peer list naming the member itself or a peer twice", async () => {
    const q = new Uint32Array(8);
    const seed = seedOf(0, 1);
    const errors: string[] = [];
    await maskVector(q, 1, [{ index: 1, seed }]).catch((e) => errors.push(e.message));
    await maskVector(q, 0, [
      { index: 1, seed },
      { index: 1, seed },
    ]).catch((e) => errors.push(e.message));
    expect(errors).to.have.length(2);
  });
});
