import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { plainJobRequest, type JobRequest } from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import {
  changedSettings,
  defaultSettings,
  resolveSettings,
  type RunSettings,
} from "../../src/driver/run-settings.js";
import { applyOrder } from "../../src/driver/settings-panel.js";
import { decodeListModels, type ModelInfo } from "../../src/wire/list-models.js";

/*
 * The settings a job wants, against the models' real limits and thinking descriptors (the
 * simulator's ListModels dump), plus made-up models for the edges the dump does not have.
 */

const DUMP = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "simulator",
  "models-dump.json",
);
const MODELS = decodeListModels(readFileSync(DUMP, "utf8")).models;

function model(id: string): ModelInfo {
  const found = MODELS.find((m) => m.id === `models/${id}`);
  if (!found) throw new Error(`no ${id} in the models dump`);
  return found;
}

/** A made-up model: budget thinking unless told otherwise, no defaults, no output limit. */
function madeUp(
  thinking: Partial<ModelInfo["thinking"]>,
  extra: Partial<ModelInfo> = {},
): ModelInfo {
  return {
    id: "models/made-up",
    displayName: "Made up",
    inputLimit: null,
    outputLimit: null,
    methods: [],
    defaults: { temperature: null, topP: null, topK: null, maxTemperature: null },
    thinking: { supported: true, budget: true, level: false, descriptor: null, ...thinking },
    ...extra,
  };
}

const request = (extra: Partial<JobRequest> = {}): JobRequest =>
  plainJobRequest({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: "Hello" }],
    ...extra,
  });

const resolve = (extra: Partial<JobRequest>, m: ModelInfo, system = "") =>
  resolveSettings(request(extra), m, system);
const thinkingOf = (effort: JobRequest["reasoningEffort"], m: ModelInfo) =>
  resolve(effort === undefined ? {} : { reasoningEffort: effort }, m).thinking;

describe("resolving a job's run settings", () => {
  it("sets an aspect ratio for image models only, and the page's Auto when none is asked", () => {
    const image = madeUp({ supported: false }, { id: "models/gemini-2.5-flash-image" });
    expect(resolve({ imageAspectRatio: "16:9" }, image).aspectRatio).toBe("16:9");
    expect(resolve({}, image).aspectRatio).toBeNull();
    expect(resolve({ imageAspectRatio: "16:9" }, madeUp({})).aspectRatio).toBeNull();
  });

  it("takes what the job sets and the model's defaults for the rest", () => {
    const flash = model("gemini-2.5-flash");
    expect(resolve({}, flash)).toMatchObject({
      temperature: 1,
      topP: 0.95,
      maxOutputTokens: 65536,
    });
    expect(resolve({ temperature: 0, topP: 0.1, maxOutputTokens: 100 }, flash)).toMatchObject({
      temperature: 0,
      topP: 0.1,
      maxOutputTokens: 100,
    });
    // A model that states no defaults and no limit still gets definite values.
    expect(resolve({}, madeUp({}))).toMatchObject({
      temperature: 1,
      topP: 0.95,
      maxOutputTokens: 65536,
    });
  });

  it("clamps max output tokens to the model's limit", () => {
    expect(resolve({ maxOutputTokens: 1_000_000 }, model("gemini-2.5-flash")).maxOutputTokens).toBe(
      65536,
    );
    expect(resolve({ maxOutputTokens: 10_000 }, model("gemini-2.0-flash")).maxOutputTokens).toBe(
      8192,
    );
    expect(resolve({}, model("gemini-2.0-flash")).maxOutputTokens).toBe(8192);
  });

  it("drops empty and repeated stop sequences, keeping the order", () => {
    expect(resolve({ stop: ["END", "", "###", "END"] }, model("gemini-2.5-flash")).stop).toEqual([
      "END",
      "###",
    ]);
  });

  it("passes system instructions and Google Search through", () => {
    expect(resolve({ googleSearch: true }, model("gemini-2.5-flash"), "Be brief.")).toMatchObject({
      googleSearch: true,
      systemInstruction: "Be brief.",
    });
  });

  it("asks for URL context and code execution only when the job does", () => {
    const flash = model("gemini-2.5-flash");
    expect(resolve({}, flash)).toMatchObject({ urlContext: false, codeExecution: false });
    expect(resolve({ urlContext: true }, flash)).toMatchObject({
      urlContext: true,
      codeExecution: false,
    });
    expect(resolve({ codeExecution: true, urlContext: false }, flash)).toMatchObject({
      urlContext: false,
      codeExecution: true,
    });
  });

  describe("thinking levels (Gemini 3)", () => {
    const pro = model("gemini-3-pro-preview"); // low and high only
    const flash = model("gemini-3-flash-preview"); // minimal, low, medium, high

    it("uses the model's default level when the job names no effort", () => {
      expect(thinkingOf(undefined, pro)).toEqual({ kind: "level", level: "high" });
      expect(
        thinkingOf(
          undefined,
          madeUp({
            budget: false,
            level: true,
            descriptor: [null, null, null, 0, null, 1, [1, 3]],
          }),
        ),
      ).toEqual({ kind: "level", level: "low" });
    });

    it("maps efforts to the levels the model has", () => {
      expect(thinkingOf("minimal", flash)).toEqual({ kind: "level", level: "minimal" });
      expect(thinkingOf("none", flash)).toEqual({ kind: "level", level: "minimal" });
      expect(thinkingOf("low", flash)).toEqual({ kind: "level", level: "low" });
      expect(thinkingOf("medium", flash)).toEqual({ kind: "level", level: "medium" });
      expect(thinkingOf("high", flash)).toEqual({ kind: "level", level: "high" });
      expect(thinkingOf("xhigh", flash)).toEqual({ kind: "level", level: "high" });
    });

    it("rounds a missing level up to the nearest one, else down", () => {
      expect(thinkingOf("medium", pro)).toEqual({ kind: "level", level: "high" });
      expect(thinkingOf("minimal", pro)).toEqual({ kind: "level", level: "low" });
      expect(thinkingOf("none", pro)).toEqual({ kind: "level", level: "low" });
      const lowOnly = madeUp({
        budget: false,
        level: true,
        descriptor: [null, null, null, 0, null, 1, [1]],
      });
      expect(thinkingOf("high", lowOnly)).toEqual({ kind: "level", level: "low" });
    });

    it("assumes low and high, default high, when the descriptor says nothing", () => {
      const bare = madeUp({ budget: false, level: true, descriptor: null });
      expect(thinkingOf(undefined, bare)).toEqual({ kind: "level", level: "high" });
      expect(thinkingOf("medium", bare)).toEqual({ kind: "level", level: "high" });
      expect(thinkingOf("minimal", bare)).toEqual({ kind: "level", level: "low" });
    });
  });

  describe("thinking budgets (Gemini 2.5)", () => {
    const flash = model("gemini-2.5-flash"); // default 8000, max 24576, min 0, can turn off
    const pro = model("gemini-2.5-pro"); // default 8192, max 32768, min 128, cannot turn off

    it("leaves the budget automatic when the job names no effort", () => {
      expect(thinkingOf(undefined, flash)).toEqual({
        kind: "budget",
        on: true,
        manual: false,
        budget: 8000,
      });
      expect(thinkingOf(undefined, madeUp({ descriptor: null }))).toEqual({
        kind: "budget",
        on: true,
        manual: false,
        budget: 8192,
      });
    });

    it("turns thinking off for effort none where the model allows it", () => {
      expect(thinkingOf("none", flash)).toEqual({
        kind: "budget",
        on: false,
        manual: false,
        budget: 0,
      });
    });

    it("gives the smallest budget for effort none where thinking cannot be turned off", () => {
      expect(thinkingOf("none", pro)).toEqual({
        kind: "budget",
        on: true,
        manual: true,
        budget: 512,
      });
    });

    it("maps efforts to manual budgets", () => {
      expect(thinkingOf("minimal", flash)).toMatchObject({ manual: true, budget: 512 });
      expect(thinkingOf("low", flash)).toMatchObject({ manual: true, budget: 1024 });
      expect(thinkingOf("medium", flash)).toMatchObject({ manual: true, budget: 8192 });
      expect(thinkingOf("high", flash)).toMatchObject({ manual: true, budget: 24576 });
      expect(thinkingOf("xhigh", flash)).toMatchObject({ manual: true, budget: 24576 });
      expect(thinkingOf("xhigh", pro)).toMatchObject({ manual: true, budget: 32768 });
    });

    it("keeps a manual budget within the model's minimum and maximum", () => {
      const narrow = madeUp({ descriptor: [3000, 4096, 2048, 1] });
      expect(thinkingOf("low", narrow)).toMatchObject({ budget: 2048 });
      expect(thinkingOf("high", narrow)).toMatchObject({ budget: 4096 });
      expect(thinkingOf("medium", narrow)).toMatchObject({ budget: 4096 });
    });
  });

  describe("thinking budgets in tokens (Anthropic's budget_tokens, Gemini's thinkingBudget)", () => {
    const budgetOf = (thinkingBudget: number, m: ModelInfo, effort?: "high") =>
      resolve({ thinkingBudget, ...(effort ? { reasoningEffort: effort } : {}) }, m).thinking;

    it("sets the budget, within the model's limits, over any effort", () => {
      const flash = model("gemini-2.5-flash");
      expect(budgetOf(2048, flash, "high")).toEqual({
        kind: "budget",
        on: true,
        manual: true,
        budget: 2048,
      });
      expect(budgetOf(1_000_000, flash)).toMatchObject({ manual: true, budget: 24576 });
      expect(budgetOf(64, model("gemini-2.5-pro"))).toMatchObject({ manual: true, budget: 128 });
    });

    it("turns thinking off for 0 where the model can, else gives its least", () => {
      expect(budgetOf(0, model("gemini-2.5-flash"))).toEqual({
        kind: "budget",
        on: false,
        manual: false,
        budget: 0,
      });
      expect(budgetOf(0, model("gemini-2.5-pro"))).toMatchObject({ on: true, budget: 128 });
    });

    it("takes the nearest level on models with levels", () => {
      const flash = model("gemini-3-flash-preview");
      expect(budgetOf(0, flash)).toEqual({ kind: "level", level: "minimal" });
      expect(budgetOf(1024, flash)).toEqual({ kind: "level", level: "low" });
      expect(budgetOf(4096, flash)).toEqual({ kind: "level", level: "medium" });
      expect(budgetOf(30_000, flash, "high")).toEqual({ kind: "level", level: "high" });
      expect(budgetOf(4096, model("gemini-3-pro-preview"))).toEqual({
        kind: "level",
        level: "high",
      });
    });
  });

  it("has no thinking control for a model without thinking, whatever the effort", () => {
    const old = model("gemini-2.0-flash");
    for (const effort of [undefined, "none", "high"] as const)
      expect(thinkingOf(effort, old)).toEqual({ kind: "none" });
    expect(thinkingOf("high", madeUp({ supported: false }))).toEqual({ kind: "none" });
  });

  it("asks for structured output with the job's schema, or any object", () => {
    const flash = model("gemini-2.5-flash");
    const schema = { type: "object", properties: { a: { type: "string" } } };
    expect(
      resolve({ responseFormat: { type: "json_schema", name: "s", schema } }, flash).schema,
    ).toEqual(schema);
    expect(resolve({ responseFormat: { type: "json_schema", name: "s" } }, flash).schema).toEqual({
      type: "object",
    });
    expect(resolve({ responseFormat: { type: "json_object" } }, flash).schema).toEqual({
      type: "object",
    });
    expect(resolve({ responseFormat: { type: "text" } }, flash).schema).toBeNull();
  });

  it("declares the job's functions, without empty fields, and none for tool_choice none", () => {
    const flash = model("gemini-2.5-flash");
    const tools = [
      { name: "get_weather", description: "Weather", parameters: { type: "object" } },
      { name: "ping" },
    ];
    expect(resolve({ tools }, flash).functions).toEqual([
      { name: "get_weather", description: "Weather", parameters: { type: "object" } },
      { name: "ping" },
    ]);
    expect(resolve({ tools, toolChoice: "required" }, flash).functions).toHaveLength(2);
    expect(resolve({ tools, toolChoice: "none" }, flash).functions).toEqual([]);
  });
});

describe("the settings that changed", () => {
  const flash = model("gemini-2.5-flash");
  const base = resolve({}, flash);
  const ORDER: Array<keyof RunSettings> = [
    "temperature",
    "topP",
    "maxOutputTokens",
    "stop",
    "thinking",
    "functions",
    "googleSearch",
    "urlContext",
    "codeExecution",
    "schema",
    "systemInstruction",
    "aspectRatio",
  ];

  it("is every control, in the order they are applied, after a page load", () => {
    expect(changedSettings(null, base)).toEqual(ORDER);
  });

  it("is nothing for the same settings, compared by value", () => {
    expect(changedSettings(base, resolve({}, flash))).toEqual([]);
    expect(
      changedSettings(
        resolve({ stop: ["A"], tools: [{ name: "f" }] }, flash),
        resolve({ stop: ["A"], tools: [{ name: "f" }] }, flash),
      ),
    ).toEqual([]);
  });

  it("is only what differs, in application order", () => {
    const next = resolve(
      { temperature: 0.2, reasoningEffort: "low", googleSearch: true },
      flash,
      "Be brief.",
    );
    expect(changedSettings(base, next)).toEqual([
      "temperature",
      "thinking",
      "googleSearch",
      "systemInstruction",
    ]);
  });

  it("notices a change deep inside a value", () => {
    const a = resolve(
      {
        tools: [
          { name: "f", parameters: { type: "object", properties: { x: { type: "string" } } } },
        ],
      },
      flash,
    );
    const b = resolve(
      {
        tools: [
          { name: "f", parameters: { type: "object", properties: { x: { type: "number" } } } },
        ],
      },
      flash,
    );
    expect(changedSettings(a, b)).toEqual(["functions"]);
    expect(
      changedSettings(
        resolve({ reasoningEffort: "low" }, flash),
        resolve({ reasoningEffort: "medium" }, flash),
      ),
    ).toEqual(["thinking"]);
  });

  it("notices a tool switched on or off", () => {
    const tools = resolve({ urlContext: true, codeExecution: true }, flash);
    expect(changedSettings(base, tools)).toEqual(["urlContext", "codeExecution"]);
    expect(changedSettings(tools, base)).toEqual(["urlContext", "codeExecution"]);
    expect(changedSettings(tools, resolve({ codeExecution: true }, flash))).toEqual(["urlContext"]);
  });

  it("clears what the next job does not ask for", () => {
    const busy = resolve(
      { stop: ["END"], tools: [{ name: "f" }], responseFormat: { type: "json_object" } },
      flash,
    );
    expect(changedSettings(busy, base)).toEqual(["stop", "functions", "schema"]);
  });
});

describe("the settings of a fresh chat", () => {
  it("has Google Search on for Gemini 3 text models only", () => {
    expect(defaultSettings(model("gemini-3-flash-preview")).googleSearch).toBe(true);
    expect(defaultSettings(model("gemini-3-pro-preview")).googleSearch).toBe(true);
    expect(defaultSettings(model("gemini-2.5-flash")).googleSearch).toBe(false);
    expect(
      defaultSettings(madeUp({ supported: false }, { id: "models/gemini-3-pro-image-preview" }))
        .googleSearch,
    ).toBe(false);
  });

  it("has URL context and code execution off for every model", () => {
    for (const m of [...MODELS, madeUp({})])
      expect([m.id, defaultSettings(m)]).toMatchObject([
        m.id,
        { urlContext: false, codeExecution: false },
      ]);
  });

  it("makes a job that asks for nothing change nothing but Search, off on Gemini 3", () => {
    const flash3 = model("gemini-3-flash-preview");
    expect(changedSettings(defaultSettings(flash3), resolve({}, flash3))).toEqual(["googleSearch"]);
    expect(
      changedSettings(defaultSettings(flash3), resolve({ googleSearch: true }, flash3)),
    ).toEqual([]);
    const flash = model("gemini-2.5-flash");
    expect(changedSettings(defaultSettings(flash), resolve({}, flash))).toEqual([]);
    expect(
      changedSettings(defaultSettings(flash), resolve({ codeExecution: true }, flash)),
    ).toEqual(["codeExecution"]);
  });
});

describe("the order the page accepts", () => {
  const flash = model("gemini-3-flash-preview");
  const all = changedSettings(null, resolve({}, flash));

  it("turns tools off first and Google Search on last, values in between", () => {
    const functions = resolve({ tools: [{ name: "f" }], temperature: 0.3 }, flash);
    // Search off before function calling on: the 2026-08 page disables one while the other is on.
    expect(applyOrder(all, functions)).toEqual([
      "googleSearch",
      "urlContext",
      "codeExecution",
      "schema",
      "temperature",
      "topP",
      "maxOutputTokens",
      "stop",
      "thinking",
      "systemInstruction",
      "aspectRatio",
      "functions",
    ]);
    const search = resolve({ googleSearch: true, responseFormat: { type: "json_object" } }, flash);
    const order = applyOrder(all, search);
    expect(order.slice(0, 1)).toEqual(["functions"]);
    expect(order.slice(-2)).toEqual(["schema", "googleSearch"]);
  });

  it("turns URL context and code execution on last and off first, like Google Search", () => {
    const tools = resolve({ urlContext: true, codeExecution: true, temperature: 0.3 }, flash);
    const order = applyOrder(all, tools);
    // Search (on by default here) and the schema go off first; the two tools come on last.
    expect(order.slice(0, 3)).toEqual(["functions", "googleSearch", "schema"]);
    expect(order.slice(-2)).toEqual(["urlContext", "codeExecution"]);
    // Going off, they come before the values and before function calling goes on.
    const functions = resolve({ tools: [{ name: "f" }] }, flash);
    const off = applyOrder(["functions", "temperature", "urlContext", "codeExecution"], functions);
    expect(off).toEqual(["urlContext", "codeExecution", "temperature", "functions"]);
    // Asked for with a schema: the schema first, so the conflict shows on the tool's switch.
    const both = resolve({ codeExecution: true, responseFormat: { type: "json_object" } }, flash);
    expect(applyOrder(["codeExecution", "schema", "topP"], both)).toEqual([
      "topP",
      "schema",
      "codeExecution",
    ]);
  });

  it("re-applies a setting a lenient job could not apply, even when it did not change", () => {
    const base = resolve({}, flash);
    expect(changedSettings(base, base, ["stop"])).toEqual(["stop"]);
  });
});
