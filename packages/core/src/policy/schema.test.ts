import { describe, expect, test } from "vitest";
import { policyJsonSchema } from "./json-schema.js";

/** What scripts/gen-schema.mjs writes to schema.json. */
const jsonSchema = policyJsonSchema();

function walk(node: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) for (const item of node) walk(item, visit);
  else if (typeof node === "object" && node !== null) {
    visit(node as Record<string, unknown>);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

describe("policySchema as JSON Schema (schema.json)", () => {
  test("is draft 2020-12 with a title, and allows $schema at the top level only", () => {
    expect(jsonSchema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(jsonSchema.title).toBe("cookie-policy.json");
    expect(jsonSchema.additionalProperties).toBe(false);
    const properties = jsonSchema.properties as Record<string, unknown>;
    expect(Object.keys(properties).sort()).toEqual(
      [
        "$schema",
        "proxy",
        "https",
        "localhost",
        "mode",
        "defaults",
        "sensitive",
        "cookies",
        "profiles",
      ].sort(),
    );
  });

  test("every object is closed, so editors flag unknown keys as the validator does", () => {
    walk(jsonSchema, (node) => {
      if (node.type === "object" && node.properties !== undefined) {
        expect(node.additionalProperties).toBe(false);
      }
    });
  });

  test("uses only keywords editors understand (no custom formats)", () => {
    const formats: unknown[] = [];
    walk(jsonSchema, (node) => {
      if (typeof node.format === "string") formats.push(node.format);
    });
    expect(formats).toEqual([]);
  });

  test("describes the settings a user is most likely to hover over", () => {
    const text = JSON.stringify(jsonSchema);
    for (const phrase of [
      "trust the N nearest hops",
      "Safari has not always",
      "in whole seconds",
    ]) {
      expect(text).toContain(phrase);
    }
  });
});
