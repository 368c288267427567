import { expect } from "chai";
import fc from "fast-check";
import { addLanes, chunkBytes, packWords, subLanes, toHexWords, unpackWords, wordCount } from "../../src/protocol";

describe("protocol/packing", () => {
  it("puts lane 0 in the last 4 bytes of the big-endian word", () => {
    const words = toHexWords(packWords(Uint32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0xffffffff])));
    expect(words).to.deep.equal([
      "0x0000000800000007000000060000000500000004000000030000000200000001",
      "0x00000000000000000000000000000000000000000000000000000000ffffffff",
    ]);
  });

  it("property: unpack(pack(v)) returns v for any d", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }), (values) => {
        const v = Uint32Array.from(values);
        const bytes = packWords(v);
        expect(bytes.length).to.equal(wordCount(v.length) * 32);
        expect(Array.from(unpackWords(bytes, v.length))).to.deep.equal(values);
        expect(Array.from(unpackWords(bytes, wordCount(v.length) * 8).slice(v.length))).to.satisfy((pad: number[]) => pad.every((x) => x === 0));
      }),
    );
  });

  it("slices chunk k as words [k·C, min((k+1)·C, W))", () => {
    const bytes = packWords(Uint32Array.from({ length: 8 * 5 }, (_, i) => i));
    expect(chunkBytes(bytes, 0, 2).length).to.equal(64);
    expect(chunkBytes(bytes, 2, 2).length).to.equal(32);
    expect(unpackWords(chunkBytes(bytes, 1, 2), 16)[0]).to.equal(16);
    expect(() => chunkBytes(bytes, 3, 2)).to.throw(/chunkIndex/);
  });

  it("property: adding then subtracting lanes mod 2^32 is the identity", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1 }), (pairs) => {
        const a = Uint32Array.from(pairs.map((p) => p[0]));
        const b = Uint32Array.from(pairs.map((p) => p[1]));
        const sum = addLanes(Uint32Array.from(a), b);
        sum.forEach((s, i) => expect(s).to.equal((a[i] + b[i]) % 2 ** 32));
        expect(Array.from(subLanes(sum, b))).to.deep.equal(Array.from(a));
      }),
    );
  });

  it("rejects vectors of different lengths", () => {
    expect(() => addLanes(new Uint32Array(2), new Uint32Array(3))).to.throw(/source/);
  });
});
