// A data owner's keys: the Ethereum account (from an encrypted keystore or the environment) and,
// per job, a Baby Jubjub key derived from it, so a restarted worker finds the same key again.
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { Wallet, getBytes, toUtf8Bytes, type Provider } from "ethers";
import { readFileSync } from "fs";
import { BaseError } from "../errors";
import { BABYJUB_L, publicKeyOf, seedSalt, type KeyPair } from "../protocol";

/** The account's key could not be loaded; the message says why, never the key. */
export class KeyLoadError extends BaseError {
  override name = "KeyLoadError";
}

/** Where the account key comes from. */
export interface SignerSource {
  /** An ethers JSON keystore; its password comes from OMNI_KEYSTORE_PASSWORD or `password`. */
  keystore?: string;
  password?: string;
  /** A hex private key (from the environment), used when no keystore is given. */
  privateKey?: string;
}

/** The account's wallet connected to `provider`. */
export async function loadWallet(source: SignerSource, provider: Provider): Promise<Wallet> {
  if (source.keystore) {
    let json: string;
    try {
      json = readFileSync(source.keystore, "utf8");
    } catch (cause) {
      throw new KeyLoadError(`cannot read keystore ${source.keystore}`, { cause });
    }
    const password = source.password ?? process.env.OMNI_KEYSTORE_PASSWORD;
    if (password === undefined) throw new KeyLoadError(`keystore ${source.keystore} needs a password: set OMNI_KEYSTORE_PASSWORD`);
    try {
      return (await Wallet.fromEncryptedJson(json, password)).connect(provider) as Wallet;
    } catch (cause) {
      throw new KeyLoadError(`cannot decrypt keystore ${source.keystore}: wrong password or not an ethers JSON wallet`, { cause });
    }
  }
  const key = source.privateKey ?? process.env.PRIVATE_KEY;
  if (!key) throw new KeyLoadError("no account key: pass --keystore <file> or set PRIVATE_KEY");
  try {
    return new Wallet(key, provider);
  } catch (cause) {
    throw new KeyLoadError("PRIVATE_KEY is not a valid private key", { cause });
  }
}

/** The Baby Jubjub key pair of `wallet` for one job: HKDF of the account key, domain-separated by chain, market and job. */
export async function jobKeyPair(wallet: Wallet, chainId: bigint, market: string, jobId: bigint): Promise<KeyPair> {
  const okm = hkdf(sha256, getBytes(wallet.privateKey), getBytes(seedSalt({ chainId, market, jobId })), toUtf8Bytes("omnimarket/v1/job-key"), 64);
  const secretKey = (BigInt("0x" + Buffer.from(okm).toString("hex")) % (BABYJUB_L - 1n)) + 1n;
  return { secretKey, publicKey: await publicKeyOf(secretKey) };
}
