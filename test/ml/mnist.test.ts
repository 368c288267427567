import { expect } from "chai";
import { classCounts, loadFashionMnist, loadMnist } from "../../src/ml";

describe("MNIST loader", () => {
  it("loads the test split from the real files with the right shape and labels", () => {
    const ds = loadMnist({ split: "test" });
    expect([ds.n, ds.height, ds.width, ds.channels, ds.numClasses]).to.deep.equal([10000, 28, 28, 1, 10]);
    expect(ds.images.length).to.equal(10000 * 784);
    expect(classCounts(ds).every((c) => c > 800)).to.equal(true);
    expect(Math.max(...ds.labels)).to.equal(9);
    const pixels = ds.images.subarray(0, 784);
    expect(Math.min(...pixels)).to.equal(0);
    expect(Math.max(...pixels)).to.be.at.most(1);
  });

  it("reads only the first `limit` training samples", () => {
    const ds = loadMnist({ split: "train", limit: 100 });
    expect(ds.n).to.equal(100);
    expect(ds.labels[0]).to.equal(5); // the first MNIST training digit is a 5
  });
});

describe("Fashion-MNIST loader", () => {
  it("loads a class-balanced prefix of the test split from the package's JSON files", () => {
    const ds = loadFashionMnist({ split: "test", limit: 1000 });
    expect([ds.n, ds.height, ds.width, ds.channels, ds.numClasses]).to.deep.equal([1000, 28, 28, 1, 10]);
    expect(classCounts(ds).every((c) => c > 60 && c < 140)).to.equal(true);
    expect(Math.max(...ds.images.subarray(0, 784))).to.be.at.most(1);
  });
});
