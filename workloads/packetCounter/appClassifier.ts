// AppTracker's stand-in for deep packet inspection: the application class of a flow from
// its transport protocol, its server port and, where a port carries several applications
// (web traffic above all), a seeded table over server addresses, as a DPI engine that
// recognises a service by its servers would. Deterministic: the same seed, protocol,
// port and address always give the same class, in every instance and process.

import { fmix32 } from "../../engine/index.js";

/** The application classes AppTracker reports; a class's key is its index here. */
export const APP_CLASSES = [
  "HTTP",
  "HTTPS",
  "DNS",
  "QQ",
  "Sina Weibo",
  "WeChat",
  "video",
  "P2P",
  "other",
] as const;

/** The name of an application class. */
export type AppClass = (typeof APP_CLASSES)[number];

/** The IP protocol number of TCP. */
export const TCP = 6;
/** The IP protocol number of UDP. */
export const UDP = 17;

/** Traffic of `protocol` to a server port in [portMin, portMax] is one of `apps`, by weight. */
interface PortRule {
  readonly protocol: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly apps: Readonly<Partial<Record<AppClass, number>>>;
}

/** The rules, first match wins; the last of each protocol catches every port. */
const RULES: readonly PortRule[] = [
  { protocol: UDP, portMin: 53, portMax: 53, apps: { DNS: 1 } },
  { protocol: UDP, portMin: 443, portMax: 443, apps: { video: 3, HTTPS: 2 } }, // QUIC
  { protocol: UDP, portMin: 8000, portMax: 8001, apps: { QQ: 1 } },
  { protocol: UDP, portMin: 0, portMax: 65535, apps: { P2P: 2, QQ: 1, other: 1 } },
  { protocol: TCP, portMin: 80, portMax: 80, apps: { HTTP: 6, "Sina Weibo": 2, video: 2, QQ: 1 } },
  { protocol: TCP, portMin: 443, portMax: 443, apps: { HTTPS: 5, WeChat: 2, "Sina Weibo": 2, video: 2 } },
  { protocol: TCP, portMin: 8080, portMax: 8080, apps: { HTTP: 1 } },
  { protocol: TCP, portMin: 0, portMax: 65535, apps: { other: 1 } },
];

/** The key of "other", the class of traffic no rule knows. */
const OTHER = APP_CLASSES.indexOf("other");

/** A rule with its applications as keys and cumulative weights, for a draw without allocation. */
interface CompiledRule {
  readonly protocol: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly keys: Int32Array;
  readonly cumulative: Float64Array;
}

function compile(rule: PortRule): CompiledRule {
  const entries = Object.entries(rule.apps) as [AppClass, number][];
  const keys = new Int32Array(entries.length);
  const cumulative = new Float64Array(entries.length);
  let sum = 0;
  entries.forEach(([app, weight], j) => {
    keys[j] = APP_CLASSES.indexOf(app);
    sum += weight;
    cumulative[j] = sum;
  });
  return { protocol: rule.protocol, portMin: rule.portMin, portMax: rule.portMax, keys, cumulative };
}

const COMPILED: readonly CompiledRule[] = RULES.map(compile);

/** Classifies flows by protocol, server port and server address, under a seed. */
export class AppClassifier {
  private readonly seedMix: number;

  constructor(readonly seed: number) {
    this.seedMix = fmix32(Math.imul(seed | 0, 0x9e3779b1) ^ Math.floor(seed / 4294967296));
  }

  /** The key (index in APP_CLASSES) of the application of traffic to (serverIp, serverPort) over `protocol`. */
  classify(protocol: number, serverPort: number, serverIp: number): number {
    for (const rule of COMPILED) {
      if (rule.protocol !== protocol || serverPort < rule.portMin || serverPort > rule.portMax) continue;
      const { keys, cumulative } = rule;
      if (keys.length === 1) return keys[0];
      const h = fmix32(fmix32((serverIp ^ this.seedMix) >>> 0) ^ serverPort);
      const target = (h / 4294967296) * cumulative[cumulative.length - 1];
      let j = 0;
      while (cumulative[j] <= target) j++;
      return keys[j];
    }
    return OTHER;
  }
}
