// A data owner's Baby Jubjub key for one job, derived from its account key, so a restarted worker finds the
// same key again.
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { getBytes, toUtf8Bytes, type Wallet } from "ethers";
import { BABYJUB_L, publicKeyOf, seedSalt, type KeyPair } from "../protocol";

/** The Baby Jubjub key pair of `wallet` for one job: HKDF of the account key, domain-separated by chain, market and job. */
export async function jobKeyPair(wallet: Wallet, chainId: bigint, market: string, jobId: bigint): Promise<KeyPair> {
  const okm = hkdf(sha256, getBytes(wallet.privateKey), getBytes(seedSalt({ chainId, market, jobId })), toUtf8Bytes("omnimarket/v1/job-key"), 64);
  const secretKey = (BigInt("0x" + Buffer.from(okm).toString("hex")) % (BABYJUB_L - 1n)) + 1n;
  return { secretKey, publicKey: await publicKeyOf(secretKey) };
}
