// The address of a ZooKeeper ensemble as a user gives it to `seep run --ha`:
// `zk://host:port[,host:port...][/chroot/path]`. The hosts become the client's connect
// string; the path is the root under which seep keeps its nodes (default /seep), used as
// absolute paths rather than as the client's chroot, so that the root need not exist
// before the first run creates it. A port left out is ZooKeeper's 2181. A mistake is one
// line naming the text and what is wrong with it.

/** The root of seep's nodes when the address names none. */
export const DEFAULT_ZOOKEEPER_ROOT = "/seep";

/** ZooKeeper's client port, when a host names none. */
export const DEFAULT_ZOOKEEPER_PORT = 2181;

/** A ZooKeeper ensemble and where seep's nodes live in it. */
export interface ZookeeperAddress {
  /** "host:port,host:port", for the client. */
  readonly connectString: string;
  /** The absolute path of seep's root node, e.g. "/seep". */
  readonly root: string;
  /** The address as given, for messages. */
  readonly text: string;
}

/** An address that is not `zk://host:port[,host:port...][/path]`: one line naming it and what is wrong. */
export class ZookeeperAddressError extends Error {
  override readonly name = "ZookeeperAddressError";
  constructor(text: string, problem: string) {
    super(`bad ZooKeeper address '${text}': ${problem} (expected zk://host:port[,host:port...][/path])`);
  }
}

const SCHEME = "zk://";
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** A node name: visible ASCII but '/', and not "." or "..". */
const NODE_NAME = /^[!-.0-~]+$/;

/** Parses `zk://host:port[,host:port...][/chroot/path]`; throws ZookeeperAddressError. */
export function parseZookeeperAddress(text: string): ZookeeperAddress {
  const bad = (problem: string) => new ZookeeperAddressError(text, problem);
  if (!text.startsWith(SCHEME)) throw bad(`it does not start with ${SCHEME}`);
  const rest = text.slice(SCHEME.length);
  const slash = rest.indexOf("/");
  const hostList = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash);
  if (hostList === "") throw bad("it names no host");
  const hosts = hostList.split(",").map((h) => parseHost(h, bad));
  return { connectString: hosts.join(","), root: parseRoot(path, bad), text };
}

/** "host[:port]" to "host:port". */
function parseHost(item: string, bad: (problem: string) => Error): string {
  if (item === "") throw bad("an empty host between commas");
  if (item.startsWith("[")) throw bad(`'${item}': IPv6 addresses are not supported, use a name or IPv4`);
  const colon = item.indexOf(":");
  const host = colon < 0 ? item : item.slice(0, colon);
  const portText = colon < 0 ? String(DEFAULT_ZOOKEEPER_PORT) : item.slice(colon + 1);
  if (!HOST.test(host)) throw bad(`'${host}' is not a host name or IPv4 address`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535)
    throw bad(`'${portText}' in '${item}' is not a port (1 to 65535)`);
  return `${host}:${port}`;
}

/** The root path: "" for the default, else an absolute node path. */
function parseRoot(path: string, bad: (problem: string) => Error): string {
  if (path === "") return DEFAULT_ZOOKEEPER_ROOT;
  if (path === "/") throw bad("the path is empty: leave it out for /seep, or name one");
  if (path.endsWith("/")) throw bad(`the path '${path}' ends with '/'`);
  const names = path.slice(1).split("/");
  for (const name of names) {
    if (name === "") throw bad(`the path '${path}' has an empty node name`);
    if (name === "." || name === ".." || !NODE_NAME.test(name))
      throw bad(`'${name}' in the path '${path}' is not a node name (visible ASCII, not '.' or '..')`);
  }
  if (names[0] === "zookeeper") throw bad("the path is under /zookeeper, which ZooKeeper keeps for itself");
  return path;
}

/** The path of `name` under `parent` ("/" included). */
export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}
