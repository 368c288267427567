import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { z } from "zod";
import { InvalidInputError } from "../../src/errors";
import { addressString, decimalString, parseJson, readJsonFile, readJsonFileIfExists } from "../../src/infra/json";

const schema = z.object({
  rounds: z.number().int(),
  owner: addressString,
  wei: decimalString,
  rows: z.array(z.object({ gas: decimalString })),
  kind: z.enum(["eth", "erc20"]),
});
const valid = { rounds: 2, owner: "0x" + "ab".repeat(20), wei: "123456789012345678901234567890", rows: [{ gas: "21000" }], kind: "eth" };

/** The error `run` throws. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("infra/json", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-json-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown) => {
    const at = path.join(dir, name);
    writeFileSync(at, typeof content === "string" ? content : JSON.stringify(content));
    return at;
  };

  it("reads a valid file back unchanged, its bigint strings with every digit", () => {
    const read = readJsonFile(file("valid.json", valid), schema);
    expect(read).to.deep.equal(valid);
    expect(BigInt(read.wei)).to.equal(123456789012345678901234567890n);
  });

  it("refuses a field of the wrong type, naming the file, the field and what it holds", () => {
    const at = file("job.json", { ...valid, rounds: "2" });
    const error = thrown(() => readJsonFile(at, schema, "--dir"));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.equal(`invalid --dir: ${at}: field "rounds" expected number, got string`);
    expect((error as InvalidInputError).details).to.include({ field: "--dir", file: at, path: "rounds" });
  });

  it("names a nested field by its path", () => {
    const at = file("nested.json", { ...valid, rows: [{ gas: "1" }, { gas: 7 }] });
    expect(thrown(() => readJsonFile(at, schema)).message).to.contain(`${at}: field "rows[1].gas" expected string, got number`);
  });

  it("names a missing field", () => {
    const { owner: _owner, ...rest } = valid;
    const at = file("missing.json", rest);
    expect(thrown(() => readJsonFile(at, schema)).message).to.contain(`field "owner" is missing (expected string)`);
  });

  it("refuses a decimal string, an address or a choice that does not fit, quoting the value", () => {
    expect(thrown(() => readJsonFile(file("wei.json", { ...valid, wei: "-1" }), schema)).message).to.contain(
      `field "wei" expected a decimal integer, got "-1"`,
    );
    expect(thrown(() => readJsonFile(file("owner.json", { ...valid, owner: "0x12" }), schema)).message).to.contain(
      `field "owner" expected a 0x-prefixed 20-byte address, got "0x12"`,
    );
    expect(thrown(() => readJsonFile(file("kind.json", { ...valid, kind: "btc" }), schema)).message).to.contain(
      `field "kind" expected one of "eth", "erc20", got "btc"`,
    );
  });

  it("refuses a file whose whole content is of the wrong type", () => {
    const at = file("array.json", [valid]);
    expect(thrown(() => readJsonFile(at, schema)).message).to.equal(`invalid file: ${at}: expected object, got array`);
  });

  it("refuses text that is not JSON, and a file that cannot be read", () => {
    const cut = file("cut.json", '{"rounds":');
    expect(thrown(() => readJsonFile(cut, schema, "--state")).message).to.equal(`invalid --state: ${cut} is not valid JSON`);
    const absent = path.join(dir, "absent.json");
    expect(thrown(() => readJsonFile(absent, schema)).message).to.match(/^invalid file: cannot read .*absent\.json: ENOENT/);
    expect(readJsonFileIfExists(absent, schema)).to.equal(undefined);
  });

  it("gives a refinement's own sentence as written", () => {
    const refined = z.object({ n: z.number() }).refine((v) => v.n % 2 === 0, "n must be even");
    expect(parseJson('{"n":3}', refined)).to.deep.equal({ ok: false, syntax: false, field: "", problem: "n must be even" });
  });
});
