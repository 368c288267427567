import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import { maskWords, packWords, toHexWords } from "../../src/protocol";

const abi = AbiCoder.defaultAbiCoder();

describe("protocol/prg", () => {
  it("equals keccak256(abi.encode(seed, w)) word by word, lane 0 in the low 32 bits", async () => {
    const seed = keccak256("0x1234");
    for (const firstWord of [0, 3, 2 ** 32 + 1]) {
      const lanes = await maskWords(seed, firstWord, 4);
      const expected = [0, 1, 2, 3].map((k) => keccak256(abi.encode(["bytes32", "uint256"], [seed, firstWord + k])));
      expect(toHexWords(packWords(lanes))).to.deep.equal(expected);
      expect(lanes[0]).to.equal(Number(BigInt(expected[0]) & 0xffffffffn));
    }
  });

  it("rejects a seed that is not 32 bytes", async () => {
    let caught: unknown;
    await maskWords("0x1234", 0, 1).catch((e) => (caught = e));
    expect(String(caught)).to.match(/seed/);
  });
});
