// Micro-bench of the per-request transport decision (not part of the tests).
// Run after `pnpm --filter @scope/cookie-core build`: node src/transport/walk.bench.mjs
import { bench, group, run, summary } from "mitata";
import proxyaddr from "proxy-addr";
import { compileTrust, decideTransport } from "../../dist/index.js";

// decideTransport compiles the headers list on each call; the engine does it once per policy.
const headers = ["x-forwarded-for", "x-forwarded-proto"];
const list = { trust: compileTrust(["loopback", "10.0.0.0/8"]), headers, localhost: "insecure" };
const forwardedList = { ...list, headers: ["forwarded"] };
const hops = { trust: compileTrust(2), headers, localhost: "insecure" };
const none = { trust: compileTrust(false), headers, localhost: "insecure" };

const req = (peer, extra) => ({
  encrypted: false,
  peer,
  headers: { host: "example.com", "user-agent": "bench", accept: "*/*", ...extra },
  method: "GET",
  url: "/",
});
const twoHops = req("10.0.0.1", {
  "x-forwarded-for": "203.0.113.7, 10.0.0.2",
  "x-forwarded-proto": "https",
});
const forwarded = req("10.0.0.1", { forwarded: "for=203.0.113.7;proto=https, for=10.0.0.2" });
const direct = req("203.0.113.9", {});

group("decideTransport", () => {
  summary(() => {
    bench("trusted peer + 2-hop XFF + XFP (list)", () => decideTransport(twoHops, list));
    bench("trusted peer + 2-hop XFF + XFP (hop count 2)", () => decideTransport(twoHops, hops));
    bench("trusted peer + 2-element Forwarded (list)", () =>
      decideTransport(forwarded, forwardedList),
    );
    bench("direct client, no forwarding headers, trust false", () => decideTransport(direct, none));
    // Reference: proxy-addr answers only the client-address half of the question.
    const pa = proxyaddr.compile(["loopback", "10.0.0.0/8"]);
    const paReq = { socket: { remoteAddress: "10.0.0.1" }, headers: twoHops.headers };
    bench("proxy-addr 2.0.8, same 2-hop XFF (address only)", () => proxyaddr(paReq, pa));
  });
});

await run();
