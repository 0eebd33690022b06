import { describe, expect, it } from "vitest";
import {
  ChatCompletionRequestSchema,
  paramOf,
  toGeminiSchema,
  toJobRequest,
  type GeminiSchema,
} from "../src/index.js";
import { CLIENT_SCHEMAS } from "../test-support/client-schemas.js";

/*
 * The schema shapes real clients send, converted to AI Studio's subset: each result may only use
 * the subset's keys, and what cannot be converted names the offending key's path.
 */

const SUBSET = new Set([
  "type",
  "format",
  "description",
  "nullable",
  "enum",
  "items",
  "properties",
  "required",
]);

/** Every key anywhere in a converted schema is one the page's dialog accepts. */
function expectSubset(schema: GeminiSchema, path = "$"): void {
  for (const key of Object.keys(schema)) expect(SUBSET.has(key), `${path}.${key}`).toBe(true);
  if (schema.items) expectSubset(schema.items, `${path}.items`);
  for (const [name, sub] of Object.entries(schema.properties ?? {}))
    expectSubset(sub, `${path}.properties.${name}`);
}

function converted(input: unknown): GeminiSchema {
  const result = toGeminiSchema(input);
  if (!result.ok) throw new Error(`refused at ${result.path.join(".")}: ${result.message}`);
  expectSubset(result.schema);
  return result.schema;
}

describe("client schemas AI Studio's page accepts after conversion", () => {
  it("a Roo/Kilo tool schema: strict, additionalProperties false, type [string, null]", () => {
    expect(converted(CLIENT_SCHEMAS.rooReadFile)).toEqual({
      type: "object",
      properties: {
        path: {
          type: "string",
          description: "Path of the file to read, relative to the workspace",
        },
        line_ranges: {
          type: "array",
          description: "Optional ranges, e.g. [[1, 50]]",
          nullable: true,
          items: { type: "array", items: { type: "integer" } },
        },
        mode: { type: "string", nullable: true, enum: ["full", "slice"] },
      },
      required: ["path", "line_ranges", "mode"],
    });
  });

  it("openai-python .parse(): a nested pydantic model with $defs, titles and Optional fields", () => {
    expect(converted(CLIENT_SCHEMAS.pydanticMathReasoning)).toEqual({
      type: "object",
      description: "MathReasoning",
      properties: {
        steps: {
          type: "array",
          description: "Steps",
          items: {
            type: "object",
            description: "Step",
            properties: {
              explanation: { type: "string", description: "Explanation" },
              output: { type: "string", description: "Output" },
            },
            required: ["explanation", "output"],
          },
        },
        final_answer: { type: "string", description: "Final Answer" },
        note: { type: "string", description: "Note", nullable: true },
      },
      required: ["steps", "final_answer", "note"],
    });
  });

  it("pydantic Literal and enum classes: const unions and enums with a $ref", () => {
    expect(converted(CLIENT_SCHEMAS.pydanticLiterals).properties).toEqual({
      color: { type: "string", description: "Color The colour", enum: ["red", "green"] },
      kind: { type: "string", description: "Kind", enum: ["a", "b"] },
      level: { type: "string", enum: ["high"] },
    });
  });

  it("zod-to-json-schema output: $schema, definitions, #/properties references, nullable unions", () => {
    const out = converted(CLIENT_SCHEMAS.zodAddresses);
    expect(out.properties!.work).toEqual(out.properties!.home);
    expect(out.properties!.home).toEqual({
      type: "object",
      properties: { city: { type: "string" }, zip: { type: "string" } },
      required: ["city"],
    });
    expect(out.properties!.age).toEqual({ type: "integer" });
    expect(out.properties!.nick).toEqual({ type: "string", nullable: true });
  });

  it("allOf of objects becomes one object; number enums are described, not dropped", () => {
    expect(
      converted({
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "integer", enum: [1, 2, 3] } }, required: ["b"] },
        ],
      }),
    ).toEqual({
      type: "object",
      properties: {
        a: { type: "string" },
        b: { type: "integer", description: "One of: 1, 2, 3." },
      },
      required: ["a", "b"],
    });
  });

  it("drops keywords JSON Schema does not define, as validators ignore them", () => {
    const mcp = {
      type: "string",
      enum: ["a", "b"],
      enumDescriptions: ["A", "B"],
      markdownDescription: "**x**",
    };
    expect(converted(mcp)).toEqual({ type: "string", enum: ["a", "b"] });
  });

  it("keeps the formats the subset knows and drops the rest, and vendor x- keys", () => {
    expect(converted({ type: "string", format: "date-time", "x-order": 1 })).toEqual({
      type: "string",
      format: "date-time",
    });
    expect(converted({ type: "string", format: "email" })).toEqual({ type: "string" });
    expect(converted({ type: "integer", format: "int64" })).toEqual({
      type: "integer",
      format: "int64",
    });
  });

  it("drops required names that have no property (the page refuses them)", () => {
    expect(
      converted({
        type: "object",
        properties: { a: { type: "string" } },
        required: ["a", "ghost"],
      }),
    ).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
    });
  });
});

describe("what cannot be converted is refused with the path of the key", () => {
  it.each([
    [
      "a recursive model",
      {
        $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
        $ref: "#/$defs/Node",
      },
      "$ref.properties.next.$ref",
      "refers to itself",
    ],
    [
      "a self reference",
      { type: "object", properties: { child: { $ref: "#" } } },
      "properties.child.$ref",
      "recursive",
    ],
    [
      "a union of types",
      { type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "integer" }] } } },
      "properties.v.anyOf.1",
      "several types",
    ],
    ["a type list", { type: ["string", "number"] }, "type", "several types"],
    [
      "a remote reference",
      { properties: { a: { $ref: "https://example.com/s.json" } } },
      "properties.a.$ref",
      "inside the schema",
    ],
    [
      "a dangling reference",
      { properties: { a: { $ref: "#/$defs/Missing" } } },
      "properties.a.$ref",
      "points at nothing",
    ],
    [
      "not",
      { type: "object", properties: { a: { not: { type: "string" } } } },
      "properties.a.not",
      "'not'",
    ],
    [
      "a tuple",
      { type: "array", items: [{ type: "string" }, { type: "number" }] },
      "items",
      "tuples",
    ],
  ])("%s", (_name, schema, path, message) => {
    const result = toGeminiSchema(schema);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.path.join(".")).toBe(path);
      expect(result.message).toContain(message);
    }
  });

  it("a schema whose references multiply past the size bound is refused, not expanded", () => {
    // Each level refers to the next twice: 2^20 nodes once inlined.
    const $defs: Record<string, unknown> = { L20: { type: "string" } };
    for (let i = 19; i >= 0; i--)
      $defs[`L${i}`] = {
        type: "object",
        properties: { a: { $ref: `#/$defs/L${i + 1}` }, b: { $ref: `#/$defs/L${i + 1}` } },
      };
    const result = toGeminiSchema({ $defs, $ref: "#/$defs/L0" });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("larger than") });
  });
});

describe("at the door", () => {
  const base = { model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }] };

  it("an unconvertible tool schema is a 400 whose param names the key", () => {
    const parsed = ChatCompletionRequestSchema.safeParse({
      ...base,
      tools: [
        {
          type: "function",
          function: {
            name: "f",
            parameters: { type: "object", properties: { v: { type: ["string", "integer"] } } },
          },
        },
      ],
    });
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(paramOf(parsed.error.issues[0]!.path)).toBe(
        "tools[0].function.parameters.properties.v.type",
      );
  });

  it("an unconvertible response schema names its path too", () => {
    const parsed = ChatCompletionRequestSchema.safeParse({
      ...base,
      response_format: {
        type: "json_schema",
        json_schema: { name: "r", schema: { anyOf: [{ type: "string" }, { type: "number" }] } },
      },
    });
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(paramOf(parsed.error.issues[0]!.path)).toBe(
        "response_format.json_schema.schema.anyOf[1]",
      );
  });

  it("the job carries the converted schemas", () => {
    const request = ChatCompletionRequestSchema.parse({
      ...base,
      tools: [
        {
          type: "function",
          function: {
            name: "f",
            strict: true,
            parameters: {
              type: "object",
              properties: { a: { type: ["string", "null"] } },
              additionalProperties: false,
            },
          },
        },
      ],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "r",
          strict: true,
          schema: { $schema: "x", type: "object", properties: { b: { const: "x" } } },
        },
      },
    });
    const job = toJobRequest(request);
    expect(job.tools[0]!.parameters).toEqual({
      type: "object",
      properties: { a: { type: "string", nullable: true } },
    });
    expect(job.responseFormat).toMatchObject({
      schema: { type: "object", properties: { b: { type: "string", enum: ["x"] } } },
    });
  });

  it.each([
    ["tool_choice required", { tool_choice: "required" }, "tool_choice"],
    ["a named tool", { tool_choice: { type: "function", function: { name: "f" } } }, "tool_choice"],
    ["a legacy named function", { function_call: { name: "f" } }, "function_call"],
  ])("%s is a 400 saying the page cannot force a tool call", (_name, extra, param) => {
    const parsed = ChatCompletionRequestSchema.safeParse({
      ...base,
      tools: [{ type: "function", function: { name: "f" } }],
      ...extra,
    });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(paramOf(parsed.error.issues[0]!.path)).toBe(param);
      expect(parsed.error.issues[0]!.message).toContain("cannot force a tool call");
    }
  });

  it("tool_choice auto and none stay accepted", () => {
    for (const choice of ["auto", "none"])
      expect(ChatCompletionRequestSchema.safeParse({ ...base, tool_choice: choice }).success).toBe(
        true,
      );
  });
});
