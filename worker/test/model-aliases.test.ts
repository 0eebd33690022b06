import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigSchema } from "../src/env.js";
import { mergeAliases } from "../src/models/aliases.js";
import { resolveModelName, withResolvedModel } from "../src/models/model-names.js";
import { plainJobRequest } from "@aistudio-edge/shared";
import { ADMIN, BASE, TestHost, chat, closeAllHosts, createKey } from "./helpers.js";

afterEach(closeAllHosts);

const ALIASES = {
  "claude-sonnet-4-5": "gemini-2.5-flash",
  "gpt-search": "gemini-2.5-flash-search",
};

describe("model names", () => {
  it("passes a plain model id through, without settings", () => {
    expect(resolveModelName("gemini-2.5-flash", ALIASES)).toEqual({
      model: "gemini-2.5-flash",
      settings: {},
    });
    expect(resolveModelName("models/gemini-2.5-flash", {})).toEqual({
      model: "gemini-2.5-flash",
      settings: {},
    });
  });

  it("strips the setting suffixes off a model id", () => {
    expect(resolveModelName("gemini-2.5-flash-search", {})).toEqual({
      model: "gemini-2.5-flash",
      settings: { googleSearch: true },
    });
    expect(resolveModelName("gemini-3-pro-preview-thinking-low", {})).toEqual({
      model: "gemini-3-pro-preview",
      settings: { reasoningEffort: "low" },
    });
    expect(resolveModelName("gemini-2.5-flash-nothinking-search", {})).toEqual({
      model: "gemini-2.5-flash",
      settings: { googleSearch: true, reasoningEffort: "none" },
    });
    // A name that is nothing but a suffix is not emptied.
    expect(resolveModelName("-search", {}).model).toBe("-search");
  });

  it("looks aliases up by the whole name, then after the suffixes", () => {
    expect(resolveModelName("claude-sonnet-4-5", ALIASES)).toEqual({
      model: "gemini-2.5-flash",
      alias: "claude-sonnet-4-5",
      settings: {},
    });
    expect(resolveModelName("claude-sonnet-4-5-thinking-high-search", ALIASES)).toEqual({
      model: "gemini-2.5-flash",
      alias: "claude-sonnet-4-5",
      settings: { reasoningEffort: "high", googleSearch: true },
    });
    // The target's own suffixes apply; an alias named like a suffixed name is taken whole.
    expect(resolveModelName("gpt-search", ALIASES)).toEqual({
      model: "gemini-2.5-flash",
      alias: "gpt-search",
      settings: { googleSearch: true },
    });
  });

  it("does not follow an alias to another alias", () => {
    const chained = { a: "b", b: "gemini-2.5-flash" };
    expect(resolveModelName("a", chained).model).toBe("b");
  });

  it("lets a setting the request sent win over its model's suffix", () => {
    const resolved = resolveModelName("gemini-2.5-flash-thinking-low", {});
    const base = plainJobRequest({ model: "gemini-2.5-flash-thinking-low" });
    expect(withResolvedModel(base, resolved)).toMatchObject({
      model: "gemini-2.5-flash",
      reasoningEffort: "low",
    });
    const explicit = withResolvedModel({ ...base, reasoningEffort: "high" }, resolved);
    expect(explicit.reasoningEffort).toBe("high");
    const budget = withResolvedModel({ ...base, thinkingBudget: 0 }, resolved);
    expect(budget.reasoningEffort).toBeUndefined();
  });

  it("reads MODEL_ALIASES as a TOML table or a JSON string, and refuses bad names", () => {
    expect(ConfigSchema.parse({ MODEL_ALIASES: ALIASES }).MODEL_ALIASES).toEqual(ALIASES);
    expect(ConfigSchema.parse({ MODEL_ALIASES: JSON.stringify(ALIASES) }).MODEL_ALIASES).toEqual(
      ALIASES,
    );
    expect(ConfigSchema.parse({}).MODEL_ALIASES).toEqual({});
    expect(ConfigSchema.safeParse({ MODEL_ALIASES: "{not json" }).success).toBe(false);
    expect(ConfigSchema.safeParse({ MODEL_ALIASES: { "bad name": "x" } }).success).toBe(false);
  });

  it("merges the admin API's changes over the configured aliases", () => {
    expect(
      mergeAliases(ALIASES, { "claude-sonnet-4-5": null, extra: "gemini-3-pro-preview" }),
    ).toEqual({
      "gpt-search": "gemini-2.5-flash-search",
      extra: "gemini-3-pro-preview",
    });
  });
});

const admin = (path: string, init: RequestInit = {}) =>
  SELF.fetch(`${BASE}/admin/aliases${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
  });

describe("aliases through the admin API", () => {
  afterEach(async () => {
    await admin("/claude-test", { method: "DELETE" });
  });

  it("needs the admin token", async () => {
    const res = await SELF.fetch(`${BASE}/admin/aliases`);
    expect(res.status).toBe(401);
  });

  it("refuses a bad alias name or target", async () => {
    const bad = await admin("/bad%20name", { method: "PUT", body: '{"model":"gemini-2.5-flash"}' });
    expect(bad.status).toBe(400);
    const target = await admin("/claude-test", { method: "PUT", body: '{"model":""}' });
    expect(target.status).toBe(400);
    expect((await target.json<any>()).error.param).toBe("model");
  });

  it("adds an alias that lists, resolves with suffixes, and goes again", async () => {
    const { key } = await createKey();
    const host = await TestHost.connect();

    const put = await admin("/claude-test", {
      method: "PUT",
      body: JSON.stringify({ model: "gemini-2.5-flash" }),
    });
    expect(put.status).toBe(200);
    expect((await put.json<any>()).aliases["claude-test"]).toBe("gemini-2.5-flash");
    const listed = await (await admin("")).json<any>();
    expect(listed.overrides).toEqual({ "claude-test": "gemini-2.5-flash" });

    const models = await SELF.fetch(`${BASE}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const ids = (await models.json<any>()).data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["claude-test", "gemini-2.5-flash"]));
    const one = await SELF.fetch(`${BASE}/v1/models/claude-test-search`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(one.status).toBe(200);

    const pending = chat(key, { model: "claude-test-thinking-high-search" });
    const job = await host.next("job");
    expect(job.request).toMatchObject({
      model: "gemini-2.5-flash",
      reasoningEffort: "high",
      googleSearch: true,
    });
    host.event(job.jobId, { t: "started" });
    host.event(job.jobId, { t: "text", text: "Hi." });
    host.event(job.jobId, { t: "done", finishReason: "stop" });
    const res = await pending;
    expect(res.status).toBe(200);
    // The client's own name comes back, as it sent it.
    expect((await res.json<any>()).model).toBe("claude-test-thinking-high-search");

    const deleted = await admin("/claude-test", { method: "DELETE" });
    expect(deleted.status).toBe(200);
    const gone = await chat(key, { model: "claude-test" });
    expect(gone.status).toBe(404);
    expect((await gone.json<any>()).error.code).toBe("model_not_found");
  });
});
