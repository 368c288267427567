import { expect } from "chai";
import fc from "fast-check";
import { classCounts, createRng, loadShard, partitionIndices, saveShard, selectSamples, writeShards, type Dataset, type PartitionScheme } from "../../src/ml";
import { tempDir } from "./helpers";

function balancedLabels(n: number, seed: number): Uint8Array {
  return createRng(seed).shuffle(Uint8Array.from({ length: n }, (_, i) => i % 10));
}

function tinyDataset(n: number): Dataset {
  const images = Float32Array.from({ length: n * 4 }, (_, i) => (i % 256) / 255);
  return { images, labels: balancedLabels(n, 1), n, height: 2, width: 2, channels: 1, numClasses: 10 };
}

const schemes: PartitionScheme[] = [{ kind: "iid" }, { kind: "dirichlet", alpha: 0.5 }, { kind: "shards", shardsPerClient: 2 }];

describe("partitioner", () => {
  for (const scheme of schemes) {
    it(`fuzz: ${scheme.kind} assigns every sample to exactly one client`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 50, max: 600 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (n, clients, seed) => {
          const parts = partitionIndices(balancedLabels(n, seed), 10, clients, scheme, { seed });
          expect(parts).to.have.length(clients);
          const all = parts.flat().sort((a, b) => a - b);
          expect(all).to.deep.equal(Array.from({ length: n }, (_, i) => i));
        }),
        { numRuns: 30, seed: 7 },
      );
    });
  }

  it("gives the same split for the same seed and a different one for another seed", () => {
    const labels = balancedLabels(1000, 3);
    const scheme: PartitionScheme = { kind: "dirichlet", alpha: 0.5 };
    expect(partitionIndices(labels, 10, 6, scheme, { seed: 5 })).to.deep.equal(partitionIndices(labels, 10, 6, scheme, { seed: 5 }));
    expect(partitionIndices(labels, 10, 6, scheme, { seed: 5 })).to.not.deep.equal(partitionIndices(labels, 10, 6, scheme, { seed: 6 }));
  });

  it("makes Dirichlet(0.1) shards far more label-skewed than iid shards", () => {
    const labels = balancedLabels(6000, 4);
    const skew = (scheme: PartitionScheme): number => {
      const parts = partitionIndices(labels, 10, 6, scheme, { seed: 9 });
      // Mean over clients of the largest class share.
      const shares = parts.map((idx) => Math.max(...classCounts({ labels: Uint8Array.from(idx, (i) => labels[i]), numClasses: 10 })) / idx.length);
      return shares.reduce((a, b) => a + b, 0) / shares.length;
    };
    expect(skew({ kind: "iid" })).to.be.below(0.15);
    expect(skew({ kind: "dirichlet", alpha: 0.1 })).to.be.above(0.4);
  });

  it("gives each client at most shardsPerClient classes when shards align with classes", () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
    const parts = partitionIndices(labels, 10, 5, { kind: "shards", shardsPerClient: 2 }, { seed: 1 });
    for (const idx of parts) expect(new Set(idx.map((i) => labels[i])).size).to.be.at.most(2);
  });

  it("writes shards that load back identically", () => {
    const tmp = tempDir();
    try {
      const ds = tinyDataset(200);
      const { shards, dirs } = writeShards(tmp.dir, ds, 3, { kind: "dirichlet", alpha: 1 }, { seed: 2 });
      dirs.forEach((dir, i) => {
        const back = loadShard(dir);
        expect(Array.from(back.labels)).to.deep.equal(Array.from(shards[i].labels));
        back.images.forEach((v, k) => expect(v).to.be.closeTo(shards[i].images[k], 1e-6));
      });
      saveShard(dirs[0], selectSamples(ds, [0, 1]));
      expect(loadShard(dirs[0]).n).to.equal(2);
    } finally {
      tmp.cleanup();
    }
  });
});
