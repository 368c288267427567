// The account's wallet: an encrypted ethers keystore (password from the environment) or a private key from
// the environment, connected to a provider; a failure says why, never the key.
import { Wallet, type Provider } from "ethers";
import { readFileSync } from "fs";
import { KeyLoadError } from "../errors";

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
