import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { DataFormatError } from "../../src/errors";
import { loadLocalData, saveShard, type Dataset } from "../../src/ml";

describe("ml/data/loadLocalData", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-local-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pixels = (v: number) => Array(784).fill(v).join(",");

  it("reads a CSV file a data owner brings: label first, then 784 pixels", () => {
    const file = path.join(dir, "mine.csv");
    writeFileSync(file, `label,pixels\n3,${pixels(255)}\n7,${pixels(0)}\n`);
    const ds = loadLocalData(file);
    expect(ds.n).to.equal(2);
    expect([...ds.labels]).to.deep.equal([3, 7]);
    expect(ds.images[0]).to.equal(1);
  });

  it("reads a shard folder", () => {
    const ds: Dataset = { images: new Float32Array(784).fill(0.5), labels: Uint8Array.of(4), n: 1, height: 28, width: 28, channels: 1, numClasses: 10 };
    const loaded = loadLocalData(saveShard(path.join(dir, "shard"), ds));
    expect(loaded.n).to.equal(1);
    expect(loaded.labels[0]).to.equal(4);
  });

  it("names the field of a shard.json that does not fit", () => {
    const ds: Dataset = { images: new Float32Array(784), labels: Uint8Array.of(1), n: 1, height: 28, width: 28, channels: 1, numClasses: 10 };
    const shard = saveShard(path.join(dir, "bad-meta"), ds);
    writeFileSync(path.join(shard, "shard.json"), JSON.stringify({ format: "idx", n: 1, numClasses: "10", classCounts: [] }));
    expect(() => loadLocalData(shard)).to.throw(DataFormatError, /shard\.json: field "numClasses" expected number, got string/);
  });

  it("names the file and the line of a ragged CSV row", () => {
    const file = path.join(dir, "ragged.csv");
    writeFileSync(file, `3,${pixels(1)}\n5,1,2\n`);
    expect(() => loadLocalData(file)).to.throw(DataFormatError, /ragged\.csv.*line 2|line 2.*ragged\.csv/);
  });
});
