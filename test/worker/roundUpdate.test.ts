import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { peerUpdates, readSavedUpdate, roundUpdate, updateFile } from "../../src/worker/roundUpdate";
import type { DataOwnerTrainer } from "../../src/worker/trainer";

describe("worker/roundUpdate", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-update-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const params = { paramCount: 5n, scaleBits: 4n, clipNormQ: 1000n };
  const round = { round: 2, randomness: "0x" + "ab".repeat(32) };

  /** A trainer that returns the same small update and counts its calls. */
  function countingTrainer(): DataOwnerTrainer & { calls: number } {
    const trainer = {
      calls: 0,
      publicSize: 5,
      clips: true,
      peerFolders: undefined,
      update: async () => (trainer.calls++, Float64Array.from([1, -1, 0.5, 0, 2])),
    };
    return trainer as unknown as DataOwnerTrainer & { calls: number };
  }

  it("clips to the job's norm, except for a test-mode attacker, which the contract's norm bound must stop", async () => {
    // ‖(1000, 0, …)‖ = 1000 at scale 2^4 is 16,000 quantized units against clipNormQ 1000.
    const big = (clips: boolean) =>
      ({ clips, publicSize: 5, peerFolders: undefined, update: async () => Float64Array.from([1000, 0, 0, 0, 0]) }) as unknown as DataOwnerTrainer;
    const model = async () => new Uint32Array(5);
    const honest = await roundUpdate(3n, round, params, big(true), dir, model);
    const attacker = await roundUpdate(4n, round, params, big(false), dir, model);
    expect([honest.update[0], attacker.update[0]]).to.deep.equal([1000, 16000]);
  });

  it("trains once, saves the update, and reads it back instead of training again", async () => {
    const trainer = countingTrainer();
    let fetched = 0;
    const model = async () => (fetched++, new Uint32Array(5));
    const first = await roundUpdate(1n, round, params, trainer, dir, model);
    const again = await roundUpdate(1n, round, params, trainer, dir, model);
    expect([first.trained, again.trained, trainer.calls, fetched]).to.deep.equal([true, false, 1, 1]);
    expect(Array.from(again.update)).to.deep.equal(Array.from(first.update));
    expect(readFileSync(updateFile(dir, 1n, round)).byteLength).to.equal(20);
  });

  it("trains again when the saved file is cut short or of another job's size", async () => {
    const file = updateFile(dir, 1n, round);
    for (const bytes of [7, 16, 24]) {
      writeFileSync(file, Buffer.alloc(bytes));
      expect(readSavedUpdate(file, 5), `${bytes} bytes`).to.equal(undefined);
      const trainer = countingTrainer();
      const { trained, update } = await roundUpdate(1n, round, params, trainer, dir, async () => new Uint32Array(5));
      expect([trained, trainer.calls, update.length]).to.deep.equal([true, 1, 5]);
    }
  });

  it("keeps each round of each job in its own file", () => {
    const names = [
      updateFile(dir, 1n, round),
      updateFile(dir, 2n, round),
      updateFile(dir, 1n, { ...round, round: 3 }),
      updateFile(dir, 1n, { ...round, randomness: "0x" + "cd".repeat(32) }),
    ];
    expect(new Set(names).size).to.equal(4);
  });

  it("lets a test-mode omniscient attacker read the updates its peers saved for the round, waiting for late ones", async () => {
    const peers = [path.join(dir, "peer-a"), path.join(dir, "peer-b")];
    const save = (d: string, lanes: number[]) => {
      const trainer = { clips: true, publicSize: 5, peerFolders: undefined, update: async () => Float64Array.from(lanes) } as unknown as DataOwnerTrainer;
      return roundUpdate(7n, round, params, trainer, d, async () => new Uint32Array(5));
    };
    await save(peers[0], [1, -1, 0.5, 0, 2]);
    // The second peer is late: its update arrives while the attacker polls.
    const late = new Promise((resolve) => setTimeout(() => resolve(save(peers[1], [0, 0, 0, 0, 1])), 150));
    const got = await peerUpdates(peers, 7n, round, params, 5_000, 20);
    await late;
    expect(got.map((u) => Array.from(u))).to.deep.equal([
      [1, -1, 0.5, 0, 2],
      [0, 0, 0, 0, 1],
    ]);
    // A peer that never saves is given up on after the wait: the attacker goes on with what it found.
    const started = Date.now();
    const partial = await peerUpdates([peers[0], path.join(dir, "silent")], 7n, round, params, 100, 20);
    expect(partial).to.have.length(1);
    expect(Date.now() - started).to.be.at.least(100);
  });

  it("hands the peers' updates to the trainer only when it is an omniscient attacker", async () => {
    const seen: (Float64Array[] | undefined)[] = [];
    const trainer = (folders: { dirs: string[]; waitMs: number } | undefined) =>
      ({
        clips: false,
        publicSize: 5,
        peerFolders: folders,
        update: async (_q: Uint32Array, _s: number, _r: number, view: { peers?: () => Promise<Float64Array[]> }) => {
          seen.push(view.peers ? await view.peers() : undefined);
          return new Float64Array(5);
        },
      }) as unknown as DataOwnerTrainer;
    const plain = await roundUpdate(8n, round, params, trainer(undefined), path.join(dir, "plain"), async () => new Uint32Array(5));
    const omni = await roundUpdate(
      9n,
      round,
      params,
      trainer({ dirs: [path.join(dir, "none")], waitMs: 0 }),
      path.join(dir, "omni"),
      async () => new Uint32Array(5),
    );
    expect(seen).to.deep.equal([undefined, []]);
    expect([plain.peersRead, omni.peersRead]).to.deep.equal([undefined, 0]);
  });
});
