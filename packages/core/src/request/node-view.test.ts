import { describe, expect, it } from "vitest";
import { nodeRequest } from "./node-view.js";

describe("nodeRequest(req)", () => {
  it("reads socket, headers, method and url from an IncomingMessage-shaped object", () => {
    const headers = { host: "example.com", "x-forwarded-for": ["1.2.3.4", "5.6.7.8"] };
    const view = nodeRequest({
      socket: { remoteAddress: "::ffff:10.0.0.1", encrypted: true },
      headers,
      method: "post",
      url: "/a?b",
    });
    expect(view).toEqual({
      encrypted: true,
      peer: "::ffff:10.0.0.1",
      headers,
      method: "POST",
      url: "/a?b",
    });
  });

  it("a plain socket is not encrypted; a missing peer is unknown; defaults for method and url", () => {
    expect(nodeRequest({ socket: { remoteAddress: "" }, headers: {} })).toEqual({
      encrypted: false,
      peer: undefined,
      headers: {},
      method: "GET",
      url: "/",
    });
    expect(nodeRequest({ headers: {} }).peer).toBeUndefined();
    expect(nodeRequest({ socket: null, headers: {} }).encrypted).toBe(false);
  });
});
