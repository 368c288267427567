// Every enum and protocol number that TypeScript and Solidity share has the same value on both sides: the
// enums of contracts/types/MarketTypes.sol (their members in declaration order) against src/chain/market.ts,
// and the named constants of contracts/libraries against src/protocol/constants.ts and the key and seed
// constants. Read from the Solidity sources themselves, so a change on one side alone fails here.
import { expect } from "chai";
import { readdirSync, readFileSync } from "fs";
import path from "path";
import { keccak256, toUtf8Bytes } from "ethers";
import { CreditKind, Phase, Rule, SlashReason, VoidReason } from "../../src/chain";
import * as constants from "../../src/protocol/constants";
import { BABYJUB_BASE8, BABYJUB_L, BABYJUB_P, CHUNK_SIZING, DLEQ_TAG, SEED_TAG, WINDOWS } from "../../src/protocol";

const CONTRACTS = path.join(__dirname, "..", "..", "contracts");
const read = (file: string): string =>
  readFileSync(path.join(CONTRACTS, file), "utf8")
    .replace(/\/\/.*$/gm, "")
    .replace(/\/\*[\s\S]*?\*\//g, "");

/** `enum Name { A, B }` → members in declaration order. */
function solidityEnums(source: string): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  for (const m of source.matchAll(/\benum\s+(\w+)\s*\{([^}]*)\}/g))
    enums.set(
      m[1],
      m[2]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
  return enums;
}

/** The value of a constant's initializer: a number (decimal, hex, `_` separators), `a << b`, `N days`, or keccak256("text"). */
function evaluate(expr: string): bigint | string {
  const e = expr.trim().replace(/_/g, "");
  let m: RegExpMatchArray | null;
  if ((m = e.match(/^keccak256\("([^"]*)"\)$/))) return keccak256(toUtf8Bytes(m[1]));
  if ((m = e.match(/^(\w+)\s*<<\s*(\w+)$/))) return BigInt(m[1]) << BigInt(m[2]);
  if ((m = e.match(/^(\w+)\s+days$/))) return BigInt(m[1]) * 86_400n;
  if ((m = e.match(/^(\d+)e(\d+)$/))) return BigInt(m[1]) * 10n ** BigInt(m[2]);
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(e)) return BigInt(e);
  throw new Error(`cannot evaluate the Solidity constant initializer "${expr}"`);
}

/** `<type> internal constant NAME = expr;` in every library → "Library.NAME" → value. */
function solidityConstants(): Map<string, bigint | string> {
  const values = new Map<string, bigint | string>();
  for (const file of readdirSync(path.join(CONTRACTS, "libraries"))) {
    const source = read(path.join("libraries", file));
    for (const m of source.matchAll(/\b(?:uint\d*|int\d*|bytes32)\s+(?:internal\s+|private\s+|public\s+)?constant\s+(\w+)\s*=\s*([^;]+);/g)) {
      // Private helpers (`_HIGH`, `_LOW`) are implementation details, not shared values.
      if (/^[A-Z][A-Z_0-9]*$/.test(m[1])) values.set(`${path.basename(file, ".sol")}.${m[1]}`, evaluate(m[2]));
    }
  }
  return values;
}

describe("values shared with the contracts", () => {
  const enums = solidityEnums(read("types/MarketTypes.sol"));
  const cases: [string, Record<string, number>][] = [
    ["Phase", Phase],
    ["Rule", Rule],
    ["SlashReason", SlashReason],
    ["CreditKind", CreditKind],
    ["VoidReason", VoidReason],
  ];
  for (const [name, ts] of cases) {
    it(`the ${name} enum numbers its members as the contract declares them`, () => {
      const members = enums.get(name);
      expect(members, `enum ${name} in MarketTypes.sol`).to.not.equal(undefined);
      expect(
        Object.entries(ts)
          .sort((a, b) => a[1] - b[1])
          .map(([key]) => key),
      ).to.deep.equal(members);
      expect(Object.values(ts).sort((a, b) => a - b)).to.deep.equal(members!.map((_, i) => i));
    });
  }

  it("every enum the contracts declare has its TypeScript copy", () => {
    expect([...enums.keys()].sort()).to.deep.equal(cases.map(([name]) => name).sort());
  });

  const solidity = solidityConstants();
  const shared: [string, bigint | string][] = [
    ["ProtocolConstants.MIN_GROUP_SUBMITTERS", BigInt(constants.MIN_GROUP_SUBMITTERS)],
    ["ProtocolConstants.MIN_ACTIVE_PEERS", BigInt(constants.MIN_ACTIVE_PEERS)],
    ["ProtocolConstants.BPS", BigInt(constants.BPS)],
    ["ProtocolConstants.MAX_TRIM_BPS", BigInt(constants.MAX_TRIM_BPS)],
    ["ProtocolConstants.MIN_MEDIAN_GROUPS", BigInt(constants.MIN_MEDIAN_GROUPS)],
    ["ProtocolConstants.MIN_KRUM_GROUPS", BigInt(constants.MIN_KRUM_GROUPS)],
    ["ProtocolConstants.MAX_GRAM_GROUPS", BigInt(constants.MAX_GRAM_GROUPS)],
    ["ProtocolConstants.GEOMEDIAN_TOLERANCE_INV", BigInt(constants.GEOMEDIAN_TOLERANCE_INV)],
    ["ProtocolConstants.BLAME_COLLUDER_BPS", BigInt(constants.BLAME_COLLUDER_BPS)],
    ["ProtocolConstants.FALSE_CONVICTION_INV", BigInt(constants.FALSE_CONVICTION_INV)],
    ["ProtocolConstants.WAD", constants.WAD],
    ...Object.entries(WINDOWS).map(([name, value]): [string, bigint] => [`Windows.${name}`, BigInt(value)]),
    ...Object.entries(CHUNK_SIZING).map(([name, value]): [string, bigint] => [`ChunkSizing.${name}`, BigInt(value)]),
    ["JobLogic.MAX_DOS", BigInt(constants.MAX_DOS)],
    ["JobLogic.MIN_GROUP_SIZE", BigInt(constants.MIN_GROUP_SIZE)],
    ["JobLogic.MAX_ROUNDS", BigInt(constants.MAX_ROUNDS)],
    ["JobLogic.MAX_PARAMS", BigInt(constants.MAX_PARAMS)],
    ["JobLogic.MAX_DURATION", BigInt(constants.MAX_DURATION_SECONDS)],
    ["JobLogic.MAX_SCALE_BITS", BigInt(constants.MAX_SCALE_BITS)],
    ["BabyJubjub.P", BABYJUB_P],
    ["BabyJubjub.ORDER", BABYJUB_L],
    ["BabyJubjub.BASE8_X", BABYJUB_BASE8[0]],
    ["BabyJubjub.BASE8_Y", BABYJUB_BASE8[1]],
    ["Dleq.DLEQ_TAG", DLEQ_TAG],
    ["SeedCommitment.SEED_TAG", SEED_TAG],
  ];
  for (const [name, value] of shared) {
    it(`${name} has the same value in TypeScript`, () => {
      expect(solidity.has(name), `${name} declared in contracts/libraries`).to.equal(true);
      expect(solidity.get(name)).to.equal(value);
    });
  }

  it("the burn address is the same on both sides", () => {
    const source = read("libraries/ProtocolConstants.sol");
    expect(source).to.match(new RegExp(`address internal constant BURN_ADDRESS = ${constants.BURN_ADDRESS};`));
  });

  it("every protocol constant of the contracts has a TypeScript counterpart", () => {
    const isProtocol = (name: string): boolean => /^(ProtocolConstants|JobLogic|Windows|ChunkSizing)\./.test(name);
    expect([...solidity.keys()].filter(isProtocol).sort()).to.deep.equal(
      shared
        .map(([name]) => name)
        .filter(isProtocol)
        .sort(),
    );
  });
});
