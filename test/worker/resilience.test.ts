import { expect } from "chai";
import { ChainRequestError, ContractRevertError } from "../../src/errors/chain";
import { createLogger } from "../../src/infra/log";
import { withChainRetry, withRetry } from "../../src/worker/retry";

const quiet = createLogger("test", "error");
const fast = { maxMs: 1_000, baseDelayMs: 1, maxDelayMs: 5 };

describe("worker/retry", () => {
  it("retries a node that cannot be reached until it answers", async () => {
    let calls = 0;
    const result = await withRetry(
      "read",
      async () => {
        if (++calls < 3) throw new ChainRequestError("read", "ECONNREFUSED", undefined);
        return "ok";
      },
      quiet,
      fast,
    );
    expect(result).to.equal("ok");
    expect(calls).to.equal(3);
  });

  it("never retries a revert: it is the chain's answer", async () => {
    let calls = 0;
    const error = await withRetry(
      "commit",
      async () => {
        calls++;
        throw new ContractRevertError("commit", "MarketAlreadyCommitted", [1n, 0n, 2n], undefined);
      },
      quiet,
      fast,
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ContractRevertError);
    expect(calls).to.equal(1);
  });

  it("retries a raw connection failure from the RPC library once it is wrapped at the chain boundary", async () => {
    let calls = 0;
    const result = await withChainRetry(
      "read",
      async () => {
        if (++calls < 3) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
        return "ok";
      },
      quiet,
      fast,
    );
    expect([result, calls]).to.deep.equal(["ok", 3]);
  });

  it("gives up once the retry window has passed", async () => {
    const error = await withRetry(
      "read",
      async () => {
        throw new ChainRequestError("read", "ECONNREFUSED", undefined);
      },
      quiet,
      { maxMs: 20, baseDelayMs: 5, maxDelayMs: 5 },
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainRequestError);
  });
});
