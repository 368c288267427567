// The benchmark driver's raw EIP-1559 serialization produces exactly the bytes ethers produces for the same
// transaction (so the node executes the same transactions whichever path signed them).
import { expect } from "chai";
import fc from "fast-check";
import { Transaction, Wallet, getAddress, hexlify } from "ethers";
import { signEip1559, type Eip1559Fields } from "../../bench/lib/rawTransaction";

const wallet = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

async function viaEthers(fields: Eip1559Fields): Promise<string> {
  return wallet.signTransaction(Transaction.from({ ...fields, type: 2, accessList: [] }));
}

describe("bench/lib/rawTransaction", () => {
  it("signs a 256 KiB submission to the same bytes as ethers", async () => {
    const data = hexlify(Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 31 + 7) & 0xff));
    const fields: Eip1559Fields = {
      chainId: 31337n,
      nonce: 42,
      maxPriorityFeePerGas: 1_000_000_000n,
      maxFeePerGas: 2_875_000_000n,
      gasLimit: 16_777_216n,
      to: getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
      value: 0n,
      data,
    };
    expect(signEip1559(fields, wallet.signingKey).serialized).to.equal(await viaEthers(fields));
  });

  it("fuzz: any fields serialize and sign as ethers does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          chainId: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
          nonce: fc.integer({ min: 0, max: 2 ** 31 }),
          maxPriorityFeePerGas: fc.bigInt({ min: 0n, max: 1n << 80n }),
          feeAbovePriority: fc.bigInt({ min: 0n, max: 1n << 80n }),
          gasLimit: fc.bigInt({ min: 0n, max: 1n << 40n }),
          to: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(hexlify(b))),
          value: fc.bigInt({ min: 0n, max: 1n << 128n }),
          data: fc.uint8Array({ maxLength: 300 }).map((b) => hexlify(b)),
        }),
        async ({ feeAbovePriority, ...rest }) => {
          // ethers refuses a priority fee above the max fee, as a node would.
          const fields = { ...rest, maxFeePerGas: rest.maxPriorityFeePerGas + feeAbovePriority };
          expect(signEip1559(fields, wallet.signingKey).serialized).to.equal(await viaEthers(fields));
        },
      ),
      { numRuns: 200, seed: 2025 },
    );
  });
});
