import { expect } from "chai";
import { readFileSync, writeFileSync } from "fs";
import path from "path";
import { DataFormatError } from "../../src/errors";
import { readIdxDataset, readIdxImages, readIdxLabels, writeIdxImages, writeIdxLabels, type Dataset } from "../../src/ml";
import { tempDir } from "./helpers";

function tiny(): Dataset {
  const images = Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i / 11);
  return { images, labels: Uint8Array.from([0, 2, 1]), n: 3, height: 2, width: 2, channels: 1, numClasses: 3 };
}

describe("IDX files", () => {
  let tmp: ReturnType<typeof tempDir>;
  let imagesFile: string;
  let labelsFile: string;
  beforeEach(() => {
    tmp = tempDir();
    imagesFile = path.join(tmp.dir, "images-idx3-ubyte");
    labelsFile = path.join(tmp.dir, "labels-idx1-ubyte");
    writeIdxImages(imagesFile, tiny());
    writeIdxLabels(labelsFile, tiny().labels);
  });
  afterEach(() => tmp.cleanup());

  it("round-trips images (to byte precision) and labels", () => {
    const ds = readIdxDataset(imagesFile, labelsFile, 3);
    expect([ds.n, ds.height, ds.width, ds.channels]).to.deep.equal([3, 2, 2, 1]);
    expect(Array.from(ds.labels)).to.deep.equal([0, 2, 1]);
    tiny().images.forEach((v, i) => expect(ds.images[i]).to.be.closeTo(v, 0.5 / 255 + 1e-7));
  });

  it("keeps only the first `limit` items", () => {
    expect(readIdxImages(imagesFile, 2).n).to.equal(2);
    expect(readIdxLabels(labelsFile, 3, 1).length).to.equal(1);
  });

  it("rejects a bad magic number, naming the file", () => {
    const bytes = readFileSync(imagesFile);
    bytes[2] = 0x0d;
    writeFileSync(imagesFile, bytes);
    expect(() => readIdxImages(imagesFile)).to.throw(DataFormatError, /images-idx3-ubyte: bad magic number/);
  });

  it("rejects a labels file given as an images file", () => {
    expect(() => readIdxImages(labelsFile)).to.throw(DataFormatError, /has 1 dimensions, expected 3 or 4/);
  });

  it("rejects truncated data and a truncated header", () => {
    const bytes = readFileSync(imagesFile);
    writeFileSync(imagesFile, bytes.subarray(0, bytes.length - 1));
    expect(() => readIdxImages(imagesFile)).to.throw(DataFormatError, /truncated data: header \[3, 2, 2\] needs 28 bytes, file has 27/);
    writeFileSync(imagesFile, bytes.subarray(0, 10));
    expect(() => readIdxImages(imagesFile)).to.throw(DataFormatError, /truncated header/);
  });

  it("rejects trailing bytes", () => {
    writeFileSync(labelsFile, Buffer.concat([readFileSync(labelsFile), Buffer.from([1, 2])]));
    expect(() => readIdxLabels(labelsFile, 3)).to.throw(DataFormatError, /2 unexpected trailing bytes/);
  });

  it("rejects labels outside the class range and count mismatches", () => {
    expect(() => readIdxLabels(labelsFile, 2)).to.throw(DataFormatError, /label 2 at index 1 is not below 2/);
    writeIdxLabels(labelsFile, Uint8Array.from([0, 1]));
    expect(() => readIdxDataset(imagesFile, labelsFile, 3)).to.throw(DataFormatError, /holds 2 labels but .* holds 3 images/);
  });

  it("names a missing file", () => {
    expect(() => readIdxImages(path.join(tmp.dir, "nope"))).to.throw(DataFormatError, /nope: cannot open IDX file/);
  });
});
