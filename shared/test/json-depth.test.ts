import { describe, expect, it } from "vitest";
import {
  ChatCompletionRequestSchema,
  JobRequestSchema,
  MAX_JSON_DEPTH,
  exceedsDepth,
  paramOf,
  toGeminiSchema,
  toJobRequest,
} from "../src/index.js";

/** `{"a":{"a":…1…}}` with `levels` objects, built by JSON.parse as a client's body is. */
const nested = (levels: number): Record<string, unknown> =>
  JSON.parse('{"a":'.repeat(levels - 1) + "{}" + "}".repeat(levels - 1));
const nestedArrays = (levels: number): unknown[] =>
  JSON.parse("[".repeat(levels) + "]".repeat(levels));

const base = { model: "gemini-2.5-pro", messages: [{ role: "user", content: "Hi" }] };

function firstIssue(body: Record<string, unknown>) {
  const parsed = ChatCompletionRequestSchema.safeParse({ ...base, ...body });
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return { param: paramOf(issue.path), message: issue.message };
}

describe("exceedsDepth", () => {
  it("counts containers, not scalars", () => {
    expect(exceedsDepth(1, 0)).toBe(false);
    expect(exceedsDepth("x", 0)).toBe(false);
    expect(exceedsDepth(null, 0)).toBe(false);
    expect(exceedsDepth({}, 0)).toBe(true);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth({ a: [] }, 1)).toBe(true);
    expect(exceedsDepth({ a: [] }, 2)).toBe(false);
    expect(exceedsDepth([1, "x", { b: null }], 2)).toBe(false);
  });

  it("finds the deep branch among shallow siblings", () => {
    const value = {
      wide: Array.from({ length: 1000 }, () => ({ x: 1 })),
      deep: { a: { a: { a: {} } } },
    };
    // value → deep → a → a → a: five containers.
    expect(exceedsDepth(value, 5)).toBe(false);
    expect(exceedsDepth(value, 4)).toBe(true);
  });

  it("is exact at the limit", () => {
    expect(exceedsDepth(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });

  it("walks a million levels without recursion (a recursive walk overflows the stack)", () => {
    const value = nestedArrays(1_000_000);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(exceedsDepth(value, MAX_JSON_DEPTH)).toBe(true);
    expect(exceedsDepth(value, 2_000_000)).toBe(false);
  });

  it("ends on a cycle", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(exceedsDepth(cycle, 100)).toBe(true);
  });
});

describe("the chat request bounds every free-form field", () => {
  const deep = () => nested(10_000);

  // Bodies are built inside the test: vitest formats `it.each` arguments, which recursion cannot.
  it.each([
    [
      "tools[0].function.parameters",
      () => ({ tools: [{ type: "function", function: { name: "f", parameters: deep() } }] }),
    ],
    [
      "tools[1].function.parameters",
      () => ({
        tools: [
          { type: "function", function: { name: "f" } },
          { type: "function", function: { name: "g", parameters: deep() } },
        ],
      }),
    ],
    ["functions[0].parameters", () => ({ functions: [{ name: "f", parameters: deep() }] })],
    [
      "response_format.json_schema.schema",
      () => ({
        response_format: { type: "json_schema", json_schema: { name: "s", schema: deep() } },
      }),
    ],
    [
      "tools[0].custom",
      () => ({ tools: [{ type: "custom", custom: { name: "c", format: deep() } }] }),
    ],
    ["tool_choice", () => ({ tool_choice: { type: "allowed_tools", tools: [deep()] } })],
    ["web_search_options", () => ({ web_search_options: deep() })],
    ["audio", () => ({ audio: deep() })],
    ["prediction", () => ({ prediction: deep() })],
  ] as const)("10,000 levels in %s → named", (param, body) => {
    expect(firstIssue(body())).toEqual({
      param,
      message: `nested more than ${MAX_JSON_DEPTH} levels deep`,
    });
  });

  it("accepts a schema at the limit and hands it on, converted", () => {
    // A real schema this time (the page's subset is applied): properties within properties.
    const parameters = JSON.parse(
      '{"properties":{"a":'.repeat(MAX_JSON_DEPTH / 2 - 1) +
        "{}" +
        "}}".repeat(MAX_JSON_DEPTH / 2 - 1),
    ) as Record<string, unknown>;
    const request = ChatCompletionRequestSchema.parse({
      ...base,
      tools: [{ type: "function", function: { name: "f", parameters } }],
    });
    const job = toJobRequest(request);
    const converted = toGeminiSchema(parameters);
    expect(converted.ok).toBe(true);
    expect(job.tools[0]?.parameters).toEqual(converted.ok ? converted.schema : null);
    expect(JobRequestSchema.safeParse(job).success).toBe(true);
  });

  it("refuses one level more", () => {
    expect(
      firstIssue({
        tools: [
          { type: "function", function: { name: "f", parameters: nested(MAX_JSON_DEPTH + 1) } },
        ],
      })?.param,
    ).toBe("tools[0].function.parameters");
  });

  it("leaves deep junk in unknown fields to be stripped, never kept", () => {
    const parsed = ChatCompletionRequestSchema.parse({ ...base, extra: deep() });
    expect(parsed).not.toHaveProperty("extra");
  });
});

describe("the job request bounds what a host is sent", () => {
  const job = {
    model: "m",
    messages: [{ role: "user", content: "Hi" }],
    stop: [],
    toolChoice: "auto",
    googleSearch: false,
    stream: false,
  };

  it("refuses deep tool parameters and response schemas", () => {
    const tools = JobRequestSchema.safeParse({
      ...job,
      tools: [{ name: "f", parameters: nested(1000) }],
      responseFormat: { type: "text" },
    });
    expect(tools.success ? null : paramOf(tools.error.issues[0]!.path)).toBe("tools[0].parameters");
    const schema = JobRequestSchema.safeParse({
      ...job,
      tools: [],
      responseFormat: { type: "json_schema", name: "s", schema: nested(1000) },
    });
    expect(schema.success ? null : paramOf(schema.error.issues[0]!.path)).toBe(
      "responseFormat.schema",
    );
  });
});
