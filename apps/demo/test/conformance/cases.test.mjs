/**
 * The conformance data itself: ids are unique and frozen (a snapshot), every case is
 * well formed, and each expectation is consistent with the invariants of SPEC §2.3/§2.4,
 * so a typo in a hand-written case cannot pass silently.
 */
import { describe, expect, it } from "vitest";
import { cases } from "./cases.mjs";
import { policies } from "./policies.mjs";

const MAX_AGE_CAP = 400 * 24 * 3600;
const PEER = /^(127\.0\.0\.(\d{1,3})|::1|::ffff:127\.0\.0\.(\d{1,3}))$/;

/** The profile's key as the case's env sees it (the file's profile over its top level). */
function setting(c, read) {
  const file = policies[c.policy];
  const fromProfile = read(file.profiles?.[c.env] ?? {});
  return fromProfile !== undefined ? fromProfile : read(file);
}

function hostHeader(c) {
  const entry = Object.entries(c.request.headers).find(([k]) => k.toLowerCase() === "host");
  return entry ? String(entry[1]) : "127.0.0.1";
}

const isDnsHost = (host) =>
  !/^\[|^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(host) && !/(^|\.)localhost(:\d+)?$/.test(host);

describe("conformance cases", () => {
  it("has at least 60 cases with unique kebab-case ids", () => {
    const ids = cases.map((c) => c.id);
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("freezes the case ids (removing or renaming one is a visible change)", async () => {
    const ids = cases.map((c) => c.id).sort();
    await expect(`${ids.join("\n")}\n`).toMatchFileSnapshot("./case-ids.txt");
  });

  it.each(cases.map((c) => [c.id, c]))("%s is well formed", (_id, c) => {
    expect(typeof c.title).toBe("string");
    expect(Object.keys(policies)).toContain(c.policy);
    expect(typeof c.env).toBe("string");
    expect(["http", "https"]).toContain(c.request.scheme);
    const peer = PEER.exec(c.request.peer);
    expect(peer, `peer ${c.request.peer}`).not.toBeNull();
    const octet = Number(peer[2] ?? peer[3] ?? 1);
    expect(octet >= 1 && octet <= 254).toBe(true);
    expect(["GET", "POST"]).toContain(c.request.method);
    // origin-form, or absolute-form for the cases about it (they need "target")
    if (c.needs?.includes("target")) expect(c.request.path).toMatch(/^https?:\/\/[^/]+\//);
    else expect(c.request.path.startsWith("/")).toBe(true);
    expect(Number.isInteger(c.expect.status)).toBe(true);
    expect(c.expect.location === null || typeof c.expect.location === "string").toBe(true);
    expect(c.expect.hsts === null || typeof c.expect.hsts === "string").toBe(true);
    expect(typeof c.expect.cookies).toBe("object");
    for (const need of c.needs ?? []) expect(["peer", "target"]).toContain(need);
  });

  it.each(cases.map((c) => [c.id, c]))("%s expects cookies the invariants allow", (_id, c) => {
    for (const [name, want] of Object.entries(c.expect.cookies)) {
      if (want === null || want.cleared) continue;
      if (/^__host-/i.test(name)) {
        // __Host-: Secure, Path=/ and no Domain, stated explicitly.
        expect(want).toMatchObject({ secure: true, path: "/", domain: null });
      }
      if (/^__secure-/i.test(name)) expect(want.secure).toBe(true);
      if (want.sameSite === "none" || want.partitioned) expect(want.secure).toBe(true);
      if (want.maxAge !== undefined) expect(want.maxAge).toBeLessThanOrEqual(MAX_AGE_CAP);
      if (want.sameSite !== undefined) expect(["strict", "lax", "none"]).toContain(want.sameSite);
    }
  });

  it.each(cases.map((c) => [c.id, c]))("%s expects a redirect/HSTS the spec allows", (_id, c) => {
    const { status, location, hsts, cookies } = c.expect;
    if (status >= 300 && status < 400) {
      expect([301, 302, 307, 308]).toContain(status);
      expect(location).toMatch(/^https:\/\/[^/]+\//);
      expect(hsts).toBeNull();
      // the route never ran: nothing of its cookies is emitted
      for (const want of Object.values(cookies)) expect(want).toBeNull();
      if (c.request.method !== "GET") expect([307, 308]).toContain(status);
    } else {
      expect(location).toBeNull();
    }
    if (status === 500) for (const want of Object.values(cookies)) expect(want).toBeNull();
    if (hsts !== null) expect(isDnsHost(hostHeader(c)), "HSTS only for a DNS host").toBe(true);
  });

  it.each(cases.map((c) => [c.id, c]))("%s declares when it needs the peer address", (_id, c) => {
    // Secure over plain HTTP comes from a believed proxy header or a localhost secure
    // context: with an address list or secure-context, only a known peer gives either
    // (an onInsecure "set" rule emits Secure whatever the transport).
    const onInsecureSet = (name) => setting(c, (p) => p.cookies?.[name]?.onInsecure) === "set";
    const secureOverHttp =
      c.request.scheme === "http" &&
      (c.expect.hsts !== null ||
        Object.entries(c.expect.cookies).some(
          ([name, want]) => want?.secure === true && !want.cleared && !onInsecureSet(name),
        ));
    const trust = setting(c, (p) => p.proxy?.trust);
    const localhost = setting(c, (p) => p.localhost);
    if (secureOverHttp && (Array.isArray(trust) || localhost === "secure-context")) {
      expect(c.needs ?? []).toContain("peer");
    }
  });
});
