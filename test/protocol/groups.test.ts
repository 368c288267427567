import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, keccak256 } from "ethers";
import { assignGroups } from "../../src/protocol";

describe("protocol/groups", () => {
  it("property: partitions the active members into a / g ascending groups of size g to ceil(a / m)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (members, g, rand) => {
          const active = [...members].sort((x, y) => x - y);
          fc.pre(active.length >= g);
          const randomness = "0x" + Buffer.from(rand).toString("hex");
          const groups = assignGroups(randomness, active, g);
          const m = Math.floor(active.length / g);
          expect(groups).to.have.length(m);
          expect(groups.flat().sort((x, y) => x - y)).to.deep.equal(active);
          for (const group of groups) {
            expect(group.length).to.be.within(g, Math.ceil(active.length / m));
            expect(group).to.deep.equal([...group].sort((x, y) => x - y));
          }
        },
      ),
    );
  });

  it("follows the Fisher–Yates steps of PROTOCOL.md on a small roster", () => {
    const randomness = keccak256("0x01");
    const j = (i: number) => Number(BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [randomness, i]))) % BigInt(i + 1));
    const perm = [10, 20, 30];
    const j2 = j(2);
    [perm[2], perm[j2]] = [perm[j2], perm[2]];
    const j1 = j(1);
    [perm[1], perm[j1]] = [perm[j1], perm[1]];
    expect(assignGroups(randomness, [10, 20, 30], 3)).to.deep.equal([[...perm].sort((x, y) => x - y)]);
    expect(assignGroups(randomness, [10, 20, 30], 1)).to.deep.equal(perm.map((x) => [x]));
  });

  it("rejects fewer members than the group size and unsorted rosters", () => {
    expect(() => assignGroups(keccak256("0x01"), [1, 2], 3)).to.throw(/groupSize/);
    expect(() => assignGroups(keccak256("0x01"), [2, 1, 3], 3)).to.throw(/ascending/);
  });
});
