import { describe, expect, it } from "vitest";
import {
  HostFrameSchema,
  PROTOCOL_VERSION,
  PoolFrameSchema,
  encodeFrame,
  parseHostFrame,
  parsePoolFrame,
  HOST_ERRORS,
  publicHostMessage,
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
    v: PROTOCOL_VERSION,
    type: "hello",
    hostId: "h1",
    instanceId: "3f9a0c1d",
    version: "0.2.0",
    lanes: 2,
    models: [
      {
        id: "gemini-2.5-flash",
        displayName: "Flash",
        inputTokenLimit: 1048576,
        outputTokenLimit: 65536,
        thinking: "budget",
      },
    ],
    profileId: "1",
    egressCountry: "US",
    labels: { region: "home" },
  },
  {
    v: PROTOCOL_VERSION,
    type: "status",
    state: "degraded",
    lanes: 1,
    freeLanes: 0,
    detail: "lane 2 crashed",
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 1,
    event: { t: "started", lane: 0 },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 2,
    event: { t: "text", text: "Hello" },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 3,
    event: { t: "thought", text: "hmm" },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 4,
    event: { t: "tool_calls", toolCalls: [{ index: 0, id: "call_1", name: "f", arguments: "{}" }] },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 5,
    event: {
      t: "done",
      finishReason: "stop",
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, reasoningTokens: 0 },
    },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_1",
    seq: 6,
    event: {
      t: "error",
      code: "upstream_quota",
      message: "quota",
      retryable: true,
      outputStarted: false,
    },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.event",
    jobId: "job_2",
    seq: 1,
    event: {
      t: "error",
      code: "attachment_refused",
      message: "the page refused photo.heic",
      retryable: false,
      outputStarted: false,
      attachment: { index: 1, reason: "type" },
    },
  },
  { v: PROTOCOL_VERSION, type: "protocol.error", message: "bad frame", jobId: "job_1" },
  {
    v: PROTOCOL_VERSION,
    type: "signin.frame",
    sessionId: "s1",
    seq: 3,
    data: "/9j/4AAQ",
    width: 1280,
    height: 800,
  },
  {
    v: PROTOCOL_VERSION,
    type: "signin.state",
    sessionId: "s1",
    state: "opened",
    location: "https://accounts.google.com/v3/signin/identifier",
  },
  {
    v: PROTOCOL_VERSION,
    type: "snapshot.part",
    requestId: "r1",
    file: "dom.html",
    offset: 0,
    data: "PGh0bWw+",
  },
  { v: PROTOCOL_VERSION, type: "snapshot.end", requestId: "r1", found: true, truncated: [] },
];

const poolFrames: PoolFrame[] = [
  { v: PROTOCOL_VERSION, type: "welcome", poolId: "default", heartbeatMs: 15000 },
  {
    v: PROTOCOL_VERSION,
    type: "job",
    jobId: "job_1",
    seq: 0,
    deadline: 1_800_000_000_000,
    request,
  },
  {
    v: PROTOCOL_VERSION,
    type: "job",
    jobId: "job_2",
    seq: 0,
    deadline: 1_800_000_000_000,
    request: { ...request, countTokens: true },
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.attachment",
    jobId: "job_1",
    seq: 1,
    index: 0,
    offset: 0,
    data: "iVBORw==",
  },
  {
    v: PROTOCOL_VERSION,
    type: "job.cancel",
    jobId: "job_1",
    seq: 2,
    reason: "client disconnected",
  },
  { v: PROTOCOL_VERSION, type: "drain", reason: "deploy" },
  { v: PROTOCOL_VERSION, type: "protocol.error", message: "nope" },
  {
    v: PROTOCOL_VERSION,
    type: "signin.start",
    sessionId: "s1",
    viewport: { width: 1280, height: 800 },
  },
  {
    v: PROTOCOL_VERSION,
    type: "signin.input",
    sessionId: "s1",
    input: {
      kind: "mouse",
      action: "down",
      x: 10,
      y: 20,
      button: "left",
      clickCount: 1,
      modifiers: 0,
    },
  },
  { v: PROTOCOL_VERSION, type: "signin.stop", sessionId: "s1", reason: "stopped" },
  {
    v: PROTOCOL_VERSION,
    type: "snapshot.request",
    requestId: "r1",
    jobId: "job_0123456789abcdef0123456789abcdef.2",
  },
];

describe("protocol v5", () => {
  it("covers every frame type of DESIGN.md in both directions", () => {
    expect(new Set(hostFrames.map((f) => f.type))).toEqual(
      new Set(HostFrameSchema.options.map((o) => o.shape.type.value)),
    );
    expect(new Set(poolFrames.map((f) => f.type))).toEqual(
      new Set(PoolFrameSchema.options.map((o) => o.shape.type.value)),
    );
  });

  it.each(hostFrames)("host frame %# ($type) survives encode → parse unchanged", (frame) => {
    const { v: _v, ...body } = frame;
    const text = encodeFrame(body as Parameters<typeof encodeFrame>[0]);
    expect(JSON.parse(text).v).toBe(PROTOCOL_VERSION);
    expect(parseHostFrame(text)).toEqual({ ok: true, frame });
  });

  it.each(poolFrames)("pool frame %# ($type) survives encode → parse unchanged", (frame) => {
    const { v: _v, ...body } = frame;
    expect(parsePoolFrame(encodeFrame(body as Parameters<typeof encodeFrame>[0]))).toEqual({
      ok: true,
      frame,
    });
  });

  it("refuses a snapshot request whose job id could name a path", () => {
    const frame = (jobId: string) =>
      JSON.stringify({ v: PROTOCOL_VERSION, type: "snapshot.request", requestId: "r", jobId });
    for (const jobId of ["..", "../job_0123456789abcdef0123456789abcdef", "job_x/..", ""])
      expect(parsePoolFrame(frame(jobId)).ok).toBe(false);
  });

  it("refuses sign-in input beyond its bounds", () => {
    const input = (value: unknown) =>
      JSON.stringify({ v: PROTOCOL_VERSION, type: "signin.input", sessionId: "s", input: value });
    expect(parsePoolFrame(input({ kind: "text", text: "x".repeat(2049) })).ok).toBe(false);
    expect(parsePoolFrame(input({ kind: "mouse", action: "down", x: -1, y: 0 })).ok).toBe(false);
    expect(parsePoolFrame(input({ kind: "key", action: "down", key: "" })).ok).toBe(false);
    expect(parsePoolFrame(input({ kind: "text", text: "paste" })).ok).toBe(true);
  });

  it.each([
    ["not json", "not JSON"],
    ["[1,2]", "version"],
    ["42", "not a JSON object"],
    [JSON.stringify({ v: 1, type: "hello" }), "protocol version 1"],
    [JSON.stringify({ v: PROTOCOL_VERSION, type: "job.teleport" }), '"job.teleport"'],
    [
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "job.event",
        jobId: "j",
        seq: 1,
        event: { t: "delta", text: "x" },
      }),
      "event",
    ],
    [
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "job.event",
        jobId: "j",
        seq: -1,
        event: { t: "text", text: "x" },
      }),
      "seq",
    ],
    [
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "job.event",
        jobId: "j",
        seq: 1,
        event: { t: "tool_calls", toolCalls: [] },
      }),
      "toolCalls",
    ],
    [
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "hello",
        hostId: "",
        instanceId: "i",
        version: "1",
        lanes: 1,
        models: [],
      }),
      "hostId",
    ],
    [
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "hello",
        hostId: "h",
        version: "1",
        lanes: 1,
        models: [],
      }),
      "instanceId",
    ],
  ])("rejects %s with a reason mentioning %s", (text, reason) => {
    const result = parseHostFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it("does not accept a pool frame as a host frame or the reverse", () => {
    expect(parseHostFrame(encodeFrame({ type: "welcome", poolId: "p", heartbeatMs: 1 })).ok).toBe(
      false,
    );
    expect(
      parsePoolFrame(
        encodeFrame({ type: "job.event", jobId: "j", seq: 1, event: { t: "started" } }),
      ).ok,
    ).toBe(false);
  });

  it("is version 5, so a v4 host (which would run a count-only job for real) is refused", () => {
    expect(PROTOCOL_VERSION).toBe(5);
    const hello = parseHostFrame(JSON.stringify({ v: 4, type: "hello", hostId: "h" }));
    expect(hello).toMatchObject({ ok: false, version: 4 });
  });

  it("says which version a frame of another version had, so a hello can be refused by name", () => {
    const result = parseHostFrame(JSON.stringify({ v: 1, type: "hello", hostId: "h" }));
    expect(result).toMatchObject({ ok: false, version: 1 });
  });
});

describe("what a host may report", () => {
  it.each([
    ["upstream_quota", "upstream_quota"],
    ["auth_expired", "auth_expired"],
    ["host_busy", "host_busy"],
    ["cancelled", "cancelled"],
    ["invalid_api_key", "upstream_error"],
    ["internal_error", "upstream_error"],
    ["toString", "upstream_error"],
    ["__proto__", "upstream_error"],
  ])("a host's code %s arrives as %s", (sent, seen) => {
    const text = encodeFrame({
      type: "job.event",
      jobId: "j",
      seq: 1,
      event: { t: "error", code: sent, message: "m", retryable: false, outputStarted: false },
    });
    const result = parseHostFrame(text);
    expect(
      result.ok &&
        result.frame.type === "job.event" &&
        result.frame.event.t === "error" &&
        result.frame.event.code,
    ).toBe(seen);
  });

  it("the text a client sees is the catalogue's, with the request id", () => {
    expect(publicHostMessage("upstream_error", "req_1")).toBe(
      `${HOST_ERRORS.upstream_error} (request req_1)`,
    );
  });
});
