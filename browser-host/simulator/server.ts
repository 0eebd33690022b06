import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, createGzip } from "node:zlib";
import { build } from "esbuild";
import { z } from "zod";
import {
  decodeFilePart,
  decodeRequest,
  type RequestSpec,
} from "../src/wire/generate-content-request.js";
import { lastUserText, planAnswer, tokensOf, type ResolvedFile } from "./answers.js";
import { DRIVE_UPLOAD_PATH, fileTokens } from "./media-rules.js";
import { firstRunPlan } from "./boot-config.js";
import { pageShell } from "./page-shell.js";
import { answerChunks, blockedChunks, bodyPieces } from "./response-body.js";
import {
  INTERNAL,
  INVALID_ARGUMENT,
  PERMISSION_DENIED,
  PER_USER_QUOTA_404,
  QUOTA_EXHAUSTED,
  RATE_LIMITED,
  RPC_PREFIX,
  STATIC_RPCS,
  UNAUTHENTICATED,
  countTokensBody,
} from "./rpc-bodies.js";
import { PaceSchema, ScenarioRequestSchema, SessionRequestSchema } from "./scenarios.js";
import {
  DEFAULT_OPTIONS,
  SimConfigSchema,
  SimOptionsSchema,
  withConfig,
  type SimOptions,
} from "./sim-options.js";
import { SimState, preciseNow, type RecordedRequest } from "./sim-state.js";
import { approvePhoneSteps, isSignInPath, signInAnswer, signInUrl } from "./signin-flow.js";
import { decodeChunk } from "../src/wire/generate-content-response.js";

/*
 * The AI Studio simulator's HTTP server: the chat page, the MakerSuiteService RPCs under their
 * real paths, Google's sign-in flow on other paths (signin-flow.ts), and the control API under
 * /__sim/. Everything is on one origin; a driver must therefore match RPCs by path, as it should
 * on the real site.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const JSPB = "application/json+protobuf; charset=UTF-8";
const MODELS_DUMP = readFileSync(join(HERE, "models-dump.json"), "utf8");
/** How many models the simulated ListModels answers with, for tests that report the count. */
export const SIM_MODEL_COUNT = (JSON.parse(MODELS_DUMP) as unknown[][])[0]!.length;

export interface Simulator {
  url: string;
  port: number;
  state: SimState;
  close(): Promise<void>;
}

async function bundleClient(): Promise<{ js: string; css: string }> {
  const result = await build({
    entryPoints: [join(HERE, "client", "app.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "chrome110",
    minify: false,
    logLevel: "silent",
  });
  return {
    js: result.outputFiles[0]!.text,
    css: readFileSync(join(HERE, "client", "app.css"), "utf8"),
  };
}

async function readBytes(req: IncomingMessage, limit = 200 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const readBody = async (req: IncomingMessage) => (await readBytes(req)).toString("utf8");

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = JSPB,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), "application/json");

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = pair.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export type SimulatorOptions = Partial<Omit<SimOptions, "pace">> & {
  pace?: z.infer<typeof PaceSchema>;
  port?: number;
  host?: string;
};

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { port: _port, host: _host, ...chosen } = options;
  const state = new SimState(
    SimOptionsSchema.parse({
      ...DEFAULT_OPTIONS,
      ...Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== undefined)),
      pace: { ...DEFAULT_OPTIONS.pace, ...options.pace },
    }),
  );
  const client = await bundleClient();
  const open = new Set<ServerResponse>();

  const signedIn = (req: IncomingMessage) => {
    if (state.signedOut) return false;
    if (!state.options.requireLogin) return true;
    const sid = cookie(req, "SID");
    return sid !== undefined && state.sessions.has(sid);
  };

  /** The last user turn's files with their bytes; null when a Drive id is unknown. */
  function resolveFiles(spec: RequestSpec): ResolvedFile[] | null {
    const turn = [...spec.contents].reverse().find((t) => t.role === "user");
    const out: ResolvedFile[] = [];
    for (const file of turn?.files ?? []) {
      if ("driveId" in file) {
        const stored = state.drive.get(file.driveId);
        if (!stored) return null;
        out.push(stored);
      } else out.push({ mimeType: file.mimeType, bytes: Buffer.from(file.data, "base64") });
    }
    return out;
  }

  /** A Drive upload (the page's path for files over the inline limit): keeps the bytes, returns the id. */
  async function driveUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!signedIn(req)) return json(res, 401, { error: { code: 401, message: "Login Required." } });
    const limit = state.options.maxUploadBytes;
    let bytes: Buffer;
    try {
      bytes = await readBytes(req, limit);
    } catch {
      return json(res, 413, { error: { code: 413, message: "The file is too large." } });
    }
    const mimeType = (req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!;
    const id = state.drive.put({ mimeType: mimeType.trim().toLowerCase(), bytes });
    return json(res, 200, { kind: "drive#file", id, mimeType });
  }

  /**
   * CountTokens' total for the contents the page sent: each text part as `tokensOf` counts it
   * and each file as `fileTokens` does (a Drive file by its stored bytes), so a test can predict
   * the count of what it put in.
   */
  function countContents(contents: unknown): number {
    if (!Array.isArray(contents)) return 0;
    let total = 0;
    for (const turn of contents) {
      if (!Array.isArray(turn) || !Array.isArray(turn[0])) continue;
      for (const part of turn[0] as unknown[]) {
        if (!Array.isArray(part)) continue;
        const file = decodeFilePart(part);
        if (file && "driveId" in file) {
          const stored = state.drive.get(file.driveId);
          if (stored) total += fileTokens(stored.mimeType, stored.bytes.length);
        } else if (file) total += fileTokens(file.mimeType, Buffer.byteLength(file.data, "base64"));
        else if (typeof part[1] === "string") total += tokensOf(part[1]);
      }
    }
    return total;
  }

  async function generateContent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = preciseNow();
    let spec;
    try {
      spec = decodeRequest(JSON.parse(await readBody(req)));
    } catch {
      return send(res, 400, INVALID_ARGUMENT);
    }
    if (!signedIn(req)) return send(res, 401, UNAUTHENTICATED);
    if (!spec.token.startsWith("!")) return send(res, 403, PERMISSION_DENIED);
    const chosen = state.scenarios.take(lastUserText(spec));
    const scenario = chosen.scenario;
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      scenario,
      request: spec,
      answer: null,
      timing: { arrived, firstByte: null, texts: [] },
    };
    state.requests.push(record);

    switch (scenario) {
      case "quota":
        return send(res, 429, QUOTA_EXHAUSTED);
      case "rate_limit":
        return send(res, 429, RATE_LIMITED);
      case "internal_error":
        return send(res, 500, INTERNAL);
      case "permission_denied":
        return send(res, 403, PERMISSION_DENIED);
      case "signin_redirect":
        // The login is gone: this call fails and every page load from now on goes to sign-in.
        state.signedOut = true;
        return send(res, 401, UNAUTHENTICATED);
    }

    // A file part naming a Drive file the server does not have (never uploaded, or evicted).
    const files = resolveFiles(spec);
    if (files === null) return send(res, 400, INVALID_ARGUMENT);
    const plan = planAnswer(spec, scenario, files);
    // A blocked prompt gets no answer: only the block reason (facts §3.3 prompt feedback).
    const { text, thoughts, functionCalls, finishReason } = plan;
    record.answer = scenario === "blocked" ? null : { text, thoughts, functionCalls, finishReason };
    const pace = {
      chunkChars: chosen.chunkChars ?? state.options.pace.chunkChars,
      paceMs: chosen.paceMs ?? (scenario === "slow" ? 250 : state.options.pace.paceMs),
    };
    const chunks =
      scenario === "blocked"
        ? blockedChunks(plan.promptTokens)
        : answerChunks(plan, { chunkChars: pace.chunkChars });
    const pieces = bodyPieces(chunks);
    const textOf = (i: number) =>
      (decodeChunk(chunks[i]).find((e) => e.type === "text") as { text: string } | undefined)
        ?.text ?? null;
    const stallAt =
      scenario === "stall" ? Math.min(chosen.stallAfterChunks ?? 1, pieces.length - 2) : -1;

    res.writeHead(200, {
      "content-type": JSPB,
      "content-encoding": "gzip",
      "cache-control": "no-store",
      // Tells the page's script to freeze, as a renderer that stopped responding would.
      ...(scenario === "hang" ? { "x-sim-scenario": "hang" } : {}),
    });
    const gzip = createGzip();
    gzip.pipe(res);
    let aborted = false;
    let complete = false;
    res.on("close", () => {
      aborted = true;
      if (!complete) record.aborted = true;
      gzip.destroy();
    });
    for (let i = 0; i < pieces.length && !aborted; i++) {
      if (i === stallAt) return; // keep the connection open and silent until the client gives up
      gzip.write(pieces[i]!);
      // Push the bytes out now; a browser sees each piece as it is written.
      await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      const at = preciseNow();
      record.timing.firstByte ??= at;
      const text = textOf(i);
      if (text !== null) record.timing.texts.push({ at, text });
      if (pace.paceMs > 0 && i < pieces.length - 1)
        await new Promise((r) => setTimeout(r, pace.paceMs));
    }
    if (!aborted) {
      complete = true;
      gzip.end();
    }
  }

  async function rpc(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (name === "GenerateContent") return generateContent(req, res);
    const body = await readBody(req);
    if (name === "StreamGenerateContentPerUserQuota") return send(res, 404, PER_USER_QUOTA_404);
    if (name === "ListModels")
      return send(res, 200, (state.options.xssi ? ")]}'\n" : "") + MODELS_DUMP);
    if (name === "CountTokens") {
      // 2026-08: counting takes longer the longer the prompt, and the page's Run waits for it.
      const ms = (body.length / 1000) * state.options.tokenCountMsPer1k;
      if (state.options.ui === "2026-08" && ms > 0) await new Promise((r) => setTimeout(r, ms));
      let total = 0;
      try {
        total = countContents((JSON.parse(body) as unknown[])[1] ?? "");
      } catch {
        // An unreadable body counts as empty, as a token counter would.
      }
      return send(res, 200, countTokensBody(total));
    }
    return send(res, 200, STATIC_RPCS[name] ?? "[]");
  }

  async function control(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parse = async <T>(schema: z.ZodType<T>): Promise<T | null> => {
      const result = schema.safeParse(JSON.parse((await readBody(req)) || "{}"));
      if (result.success) return result.data;
      json(res, 400, {
        error: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
      return null;
    };
    if (path === "/__sim/requests" && req.method === "GET") return json(res, 200, state.requests);
    if (path === "/__sim/egress" && req.method === "GET") {
      // An ipinfo.io-style echo: the address this request came from, and the configured country.
      return json(res, 200, {
        ip: (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
        ...state.options.egress,
      });
    }
    if (path === "/__sim/state" && req.method === "GET")
      return json(res, 200, {
        options: state.options,
        signedOut: state.signedOut,
        requests: state.requests.length,
      });
    if (req.method !== "POST") return json(res, 405, { error: "use POST" });
    if (path === "/__sim/reset") {
      state.reset();
      return json(res, 200, { ok: true });
    }
    if (path === "/__sim/scenario") {
      const body = await parse(ScenarioRequestSchema);
      if (body) state.scenarios.push(body);
      return body ? json(res, 200, { ok: true }) : undefined;
    }
    if (path === "/__sim/session") {
      const body = await parse(SessionRequestSchema);
      if (body) state.signedOut = !body.signedIn;
      return body ? json(res, 200, { ok: true }) : undefined;
    }
    if (path === "/__sim/signin/approve")
      return json(res, 200, { approved: approvePhoneSteps(state) });
    if (path === "/__sim/config") {
      const body = await parse(SimConfigSchema);
      if (!body) return;
      state.options = withConfig(state.options, body);
      return json(res, 200, { options: state.options });
    }
    return json(res, 404, { error: `no control route ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname;
    if (path.startsWith(RPC_PREFIX) && req.method === "POST")
      return rpc(path.slice(RPC_PREFIX.length), req, res);
    if (path.startsWith("/$rpc/google.internal.waa.v1.Waa/")) return send(res, 200, "[]");
    if (path === DRIVE_UPLOAD_PATH && req.method === "POST") return driveUpload(req, res);
    if (path.startsWith("/__sim/")) return control(path, req, res);
    if (path === "/_/mss/app.js") return send(res, 200, client.js, "text/javascript");
    if (path === "/_/mss/app.css") return send(res, 200, client.css, "text/css");
    if (path === "/" || path === "/prompts")
      return send(res, 302, "", "text/plain", { location: "/prompts/new_chat" });

    const account = /^\/u\/(\d+)\/prompts\/new_chat$/.exec(path);
    if (account && Number(account[1]) > 1)
      return send(res, 302, "", "text/plain", { location: "/u/0/prompts/new_chat" + url.search });
    if (path === "/prompts/new_chat" || account) {
      if (!signedIn(req))
        return send(res, 302, "", "text/plain", { location: signInUrl(url.pathname + url.search) });
      // Google rotates a session cookie on page loads; so does this, so write-back has something to keep.
      const { ui, rename, firstRun, firstRunSeed } = state.options;
      const { maxUploadBytes, maxUploadFiles, uploadDelayMs, uploadMsPerMb } = state.options;
      const boot = {
        ui,
        rename,
        // First-run overlays are a 2026-08 behaviour; the older generations never had them here.
        firstRun: ui === "2026-08" ? firstRunPlan(firstRun, firstRunSeed) : [],
        upload: { maxUploadBytes, maxUploadFiles, uploadDelayMs, uploadMsPerMb },
      };
      return send(
        res,
        200,
        pageShell({ boot, scriptUrl: "/_/mss/app.js" }),
        "text/html; charset=utf-8",
        {
          "set-cookie": `SIDCC=${randomBytes(12).toString("hex")}; Path=/; Max-Age=31536000`,
        },
      );
    }
    if (isSignInPath(path)) {
      const form = new URLSearchParams(req.method === "POST" ? await readBody(req) : "");
      const method = req.method ?? "GET";
      const answer = signInAnswer(state, { method, path, query: url.searchParams, form });
      return send(res, answer.status, answer.body, answer.type, answer.headers);
    }
    return send(res, 404, "Not found", "text/plain");
  }

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: err.message }), "application/json");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    close: async () => {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
