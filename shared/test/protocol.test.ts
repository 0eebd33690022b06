import { describe, expect, it } from "vitest";
import {
  HostFrameSchema,
  PROTOCOL_VERSION,
  PoolFrameSchema,
  encodeFrame,
  parseHostFrame,
  parsePoolFrame,
  type HostFrame,
  type PoolFrame,
} from "../src/index.js";

const request = {
  model: "gemini-2.5-flash",
  messages: [{ role: "user" as const, content: "Hi" }],
  stop: [],
  tools: [],
  toolChoice: "auto" as const,
  responseFormat: { type: "text" as const },
  googleSearch: false,
  stream: true,
};

const hostFrames: HostFrame[] = [
  {
    v: 1,
    type: "hello",
    hostId: "h1",
    version: "0.1.0",
    lanes: 2,
    models: [{ id: "gemini-2.5-flash", displayName: "Flash", inputTokenLimit: 1048576, outputTokenLimit: 65536, thinking: "budget" }],
    profileId: "1",
    egressCountry: "US",
    labels: { region: "home" },
  },
  { v: 1, type: "status", state: "degraded", lanes: 1, freeLanes: 0, detail: "lane 2 crashed", cooldowns: [{ model: "m", until: 1 }] },
  { v: 1, type: "job.started", jobId: "job_1", seq: 1, lane: 0 },
  { v: 1, type: "job.delta", jobId: "job_1", seq: 2, text: "Hello" },
  { v: 1, type: "job.delta", jobId: "job_1", seq: 3, thought: "hmm", text: "" },
  { v: 1, type: "job.tool_calls", jobId: "job_1", seq: 4, toolCalls: [{ index: 0, id: "call_1", name: "f", arguments: "{}" }] },
  { v: 1, type: "job.done", jobId: "job_1", seq: 5, finishReason: "stop", usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, reasoningTokens: 0 } },
  { v: 1, type: "job.error", jobId: "job_1", seq: 6, code: "upstream_quota", message: "quota", retryable: true, outputStarted: false },
  { v: 1, type: "protocol.error", message: "bad frame", jobId: "job_1" },
];

const poolFrames: PoolFrame[] = [
  { v: 1, type: "welcome", poolId: "default", heartbeatMs: 15000 },
  { v: 1, type: "job", jobId: "job_1", seq: 0, deadline: 1_800_000_000_000, request },
  { v: 1, type: "job.cancel", jobId: "job_1", seq: 1, reason: "client disconnected" },
  { v: 1, type: "drain", reason: "deploy" },
  { v: 1, type: "protocol.error", message: "nope" },
];

describe("protocol v1", () => {
  it("covers every frame type of DESIGN.md in both directions", () => {
    expect(new Set(hostFrames.map((f) => f.type))).toEqual(new Set(HostFrameSchema.options.map((o) => o.shape.type.value)));
    expect(new Set(poolFrames.map((f) => f.type))).toEqual(new Set(PoolFrameSchema.options.map((o) => o.shape.type.value)));
  });

  it.each(hostFrames)("host frame %# ($type) survives encode → parse unchanged", (frame) => {
    const { v: _v, ...body } = frame;
    const text = encodeFrame(body as Parameters<typeof encodeFrame>[0]);
    expect(JSON.parse(text).v).toBe(PROTOCOL_VERSION);
    expect(parseHostFrame(text)).toEqual({ ok: true, frame });
  });

  it.each(poolFrames)("pool frame %# ($type) survives encode → parse unchanged", (frame) => {
    const { v: _v, ...body } = frame;
    expect(parsePoolFrame(encodeFrame(body as Parameters<typeof encodeFrame>[0]))).toEqual({ ok: true, frame });
  });

  it.each([
    ["not json", "not JSON"],
    ["[1,2]", "version"],
    ["42", "not a JSON object"],
    [JSON.stringify({ v: 2, type: "hello" }), "protocol version 2"],
    [JSON.stringify({ v: 1, type: "job.teleport" }), '"job.teleport"'],
    [JSON.stringify({ v: 1, type: "job.delta", jobId: "j", seq: 1 }), "text or thought"],
    [JSON.stringify({ v: 1, type: "job.delta", jobId: "j", seq: -1, text: "x" }), "seq"],
    [JSON.stringify({ v: 1, type: "job.error", jobId: "j", seq: 1, code: "made_up", message: "", retryable: false, outputStarted: false }), "code"],
    [JSON.stringify({ v: 1, type: "hello", hostId: "", version: "1", lanes: 1, models: [] }), "hostId"],
  ])("rejects %s with a reason mentioning %s", (text, reason) => {
    const result = parseHostFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it("does not accept a pool frame as a host frame or the reverse", () => {
    expect(parseHostFrame(encodeFrame({ type: "welcome", poolId: "p", heartbeatMs: 1 })).ok).toBe(false);
    expect(parsePoolFrame(encodeFrame({ type: "job.started", jobId: "j", seq: 1 })).ok).toBe(false);
  });
});
