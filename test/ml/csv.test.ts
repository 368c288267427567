import { expect } from "chai";
import path from "path";
import { DataFormatError } from "../../src/errors";
import { parseCsvDataset, readCsvDataset, writeCsvDataset } from "../../src/ml";
import { tempDir } from "./helpers";

const shape = { height: 1, width: 3, channels: 1, numClasses: 4 };

describe("CSV datasets", () => {
  it("reads rows with and without a header line", () => {
    const withHeader = parseCsvDataset("label,p0,p1,p2\n3,0,255,51\n1,1,2,3\n\n", "a.csv", shape);
    const without = parseCsvDataset("3,0,255,51\n1,1,2,3\n", "b.csv", shape);
    for (const ds of [withHeader, without]) {
      expect(ds.n).to.equal(2);
      expect(Array.from(ds.labels)).to.deep.equal([3, 1]);
      expect(ds.images[1]).to.equal(1);
      expect(ds.images[2]).to.be.closeTo(0.2, 1e-7);
    }
  });

  it("rejects a ragged row, naming the line and column counts", () => {
    expect(() => parseCsvDataset("1,0,0,0\n2,0,0\n", "r.csv", shape)).to.throw(DataFormatError, /r\.csv: line 2 has 3 columns, expected 4/);
  });

  it("rejects a value that is not a number, naming line and column", () => {
    expect(() => parseCsvDataset("label,a,b,c\n1,0,x,0\n", "n.csv", shape)).to.throw(DataFormatError, /n\.csv: line 2, column 3: "x" is not a number/);
  });

  it("rejects labels outside the classes and pixels outside 0..255", () => {
    expect(() => parseCsvDataset("4,0,0,0\n", "l.csv", shape)).to.throw(DataFormatError, /label 4 is not an integer in \[0, 4\)/);
    expect(() => parseCsvDataset("1,0,256,0\n", "p.csv", shape)).to.throw(DataFormatError, /pixel 256 is outside 0\.\.255/);
  });

  it("round-trips through a file", () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, "d.csv");
      const ds = parseCsvDataset("2,10,20,30\n0,0,0,255\n", "mem", shape);
      writeCsvDataset(file, ds);
      const back = readCsvDataset(file, shape);
      expect(Array.from(back.labels)).to.deep.equal([2, 0]);
      expect(Array.from(back.images)).to.deep.equal(Array.from(ds.images));
    } finally {
      tmp.cleanup();
    }
  });
});
