// The connection to a node: a JSON-RPC provider pinned to the node's chain, refused when that is not the
// market's chain or holds no contract at the market address, the market handle and, for a caller that
// signs, the account's wallet. The worker and the CLI both connect through it.
import { JsonRpcProvider, Network, getAddress, type Wallet } from "ethers";
import { NoContractError, WrongChainError } from "../errors";
import { loadWallet, type SignerSource } from "../infra/wallet";
import { marketAt, type OmniMarket } from "./market";
import { chainCall } from "./wrap";

/** How a request to the node is made: `chainCall` by default; the worker retries while the node cannot be reached. */
export type NodeRequest = <T>(action: string, call: () => Promise<T>) => Promise<T>;

/** Where to connect and as whom. */
export interface ConnectOptions {
  rpcUrl: string;
  market: string;
  /** The chain the market is recorded on; a node on another chain is refused. Unknown when only an address was given. */
  chainId?: bigint;
  /** The account that signs; without it the market handle only reads. */
  signer?: SignerSource;
  request?: NodeRequest;
}

/** A market handle with the node it talks to and, when a signer was given, the account that signs. */
export interface Connection {
  provider: JsonRpcProvider;
  market: OmniMarket;
  chainId: bigint;
  wallet?: Wallet;
}

/** The node's chain id, asked once: a provider pinned to a placeholder network does not retry network detection on its own. */
export async function nodeChainId(url: string, request: NodeRequest = chainCall): Promise<bigint> {
  const probe = new JsonRpcProvider(url, undefined, { staticNetwork: new Network("unknown", 0n) });
  try {
    return BigInt(await request("connect", () => probe.send("eth_chainId", [])));
  } finally {
    probe.destroy();
  }
}

/** Connects to the market (with the account's wallet when `signer` is given); the caller destroys the provider. */
export async function connectMarket(opts: ConnectOptions & { signer: SignerSource }): Promise<Connection & { wallet: Wallet }>;
export async function connectMarket(opts: ConnectOptions): Promise<Connection>;
export async function connectMarket(opts: ConnectOptions): Promise<Connection> {
  const request = opts.request ?? chainCall;
  const chainId = await nodeChainId(opts.rpcUrl, request);
  if (opts.chainId !== undefined && chainId !== opts.chainId) throw new WrongChainError(opts.rpcUrl, chainId, opts.chainId);
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: Network.from(chainId), pollingInterval: 250, cacheTimeout: -1 });
  try {
    if ((await request("connect", () => provider.getCode(opts.market))) === "0x") throw new NoContractError(opts.market, chainId);
    const wallet = opts.signer ? await loadWallet(opts.signer, provider) : undefined;
    return { provider, market: marketAt(getAddress(opts.market), wallet ?? provider), chainId, wallet };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

/** Connects to the market, runs `use` and closes the connection. */
export async function withConnection<T>(opts: ConnectOptions, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await connectMarket(opts);
  try {
    return await use(connection);
  } finally {
    connection.provider.destroy();
  }
}
