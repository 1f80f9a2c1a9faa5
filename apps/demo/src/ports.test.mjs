import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "./ports.mjs";

describe("freePorts(wanted, host)", () => {
  let held;
  beforeAll(async () => {
    held = createServer();
    await new Promise((resolve) => held.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise((resolve) => held.close(resolve)));

  it("keeps a free default, replaces a taken one, and never gives one port twice", async () => {
    const taken = held.address().port;
    const [free] = await freePorts([0]);
    const ports = await freePorts([taken, free, free]);
    expect(ports[0]).not.toBe(taken);
    expect(ports[1]).toBe(free);
    expect(new Set(ports).size).toBe(3);
  });
});
