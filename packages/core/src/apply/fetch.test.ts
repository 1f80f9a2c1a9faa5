/** applyFetchVerdict(ctx, response): a Response's lines decided, HSTS added, copies when immutable. */
import { describe, expect, test } from "vitest";
import { parseSetCookie } from "../cookie/parse.js";
import { createCookiePolicy } from "../engine.js";
import { fetchRequest } from "../request/fetch-view.js";
import { applyFetchVerdict } from "./fetch.js";

const policy = createCookiePolicy(
  {
    proxy: { trust: false },
    https: { hsts: { maxAge: 600 } },
    defaults: { secure: "auto", httpOnly: true, sameSite: "lax", path: "/", onInsecure: "drop" },
    cookies: { strictErr: { secure: "always", onInsecure: "error" } },
  },
  { env: "production", onReport: () => {} },
);

const begin = (encrypted: boolean) =>
  policy.decideRequest(fetchRequest(new Request("http://app.test/"), { encrypted }));

const withLines = (...lines: string[]) => {
  const headers = new Headers();
  for (const line of lines) headers.append("Set-Cookie", line);
  return new Response("ok", { headers });
};

const names = (r: Response) => r.headers.getSetCookie().map((l) => parseSetCookie(l)?.name);

describe("applyFetchVerdict(ctx, response)", () => {
  test("every line is decided and HSTS added on a secure transport", () => {
    const { response, error } = applyFetchVerdict(begin(true), withLines("a=1", "b=2; HttpOnly"));
    expect(error).toBeUndefined();
    expect(response.headers.get("strict-transport-security")).toBe("max-age=600");
    for (const line of response.headers.getSetCookie())
      expect(parseSetCookie(line)?.options).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: "lax",
      });
  });

  test("hsts: false leaves HSTS to whoever answers the request", () => {
    const { response } = applyFetchVerdict(begin(true), withLines("a=1"), { hsts: false });
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });

  test("a response with immutable headers is copied, status and body kept", async () => {
    const redirect = Response.redirect("https://app.test/next", 302);
    const { response } = applyFetchVerdict(begin(true), redirect);
    expect(response).not.toBe(redirect);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://app.test/next");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=600");
  });

  test("an error decision is returned; the lines after it are not emitted", () => {
    const { response, error } = applyFetchVerdict(
      begin(false),
      withLines("a=1", "strictErr=1", "c=3"),
    );
    expect(error?.code).toBe("INSECURE_TRANSPORT_ERROR");
    expect(error?.cookie).toBe("strictErr");
    expect(names(response)).toEqual(["a"]);
  });

  test("lines the policy already wrote are kept as they are, not decided twice", () => {
    const ctx = begin(true);
    const own = ctx.setCookie("a", "1");
    const { response } = applyFetchVerdict(ctx, withLines(own.header as string));
    expect(response.headers.getSetCookie()).toEqual([own.header]);
    expect(ctx.decisions).toHaveLength(1);
  });
});
