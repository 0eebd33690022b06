import {
  MAX_IMAGE_BASE64,
  jobAttachments,
  modelResourceName,
  type HostJobEvent,
  type JobFrame,
  type Usage,
  type WireToolCall,
} from "@aistudio-edge/shared";
import type { Logger } from "../log.js";
import type { WireUsage } from "../wire/generate-content-response.js";
import type { ModelInfo } from "../wire/list-models.js";
import type { AiStudioPage } from "./aistudio-page.js";
import { codePartText } from "./code-execution-text.js";
import { classifyFailure, finishReasonOf } from "./error-classifier.js";
import { AbortedError, DriverError } from "./errors.js";
import { renderPrompt, systemInstructionOf } from "./prompt-render.js";
import {
  changedSettings,
  defaultSettings,
  resolveSettings,
  type RunSettings,
} from "./run-settings.js";
import { SETTING_NAMES, type SettingKey } from "./settings-panel.js";
import type { CaptureEnd, StreamCapture } from "./stream-capture.js";
import { removeQuietly, stageFiles } from "./uploads.js";
import { withTimeout } from "./wait.js";

const NO_ERRORS = { callout: null, toast: null, turnError: null };

/*
 * One job on one page, start to end: the right model, a fresh chat, the run settings that
 * differ, the prompt, Run; then the answer as it streams from the network, until the response
 * ends, the stall watchdog fires, or the job is cancelled (Stop, then a fresh chat).
 */

/** Where a job's events go (the host relays each as a `job.event` frame); failures are thrown. */
export type JobSink = (event: Exclude<HostJobEvent, { t: "error" }>) => void;

/** What a lane knows about its page between jobs. */
export interface PageState {
  models: ModelInfo[];
  /**
   * What the page's run settings are: "defaults" right after a load (a fresh chat shows the
   * model's defaults, so a job that asks for nothing touches no control), the settings applied
   * since, or null when they are unknown (a job failed half-way through applying them).
   */
  applied: RunSettings | "defaults" | null;
  /** Settings a lenient job could not apply: what the page shows for them is unknown. */
  unsure: SettingKey[];
}

export interface RunContext {
  page: AiStudioPage;
  capture: StreamCapture;
  state: PageState;
  stallTimeoutMs: number;
  pageTimeoutMs: number;
  /** Apply what the page takes and report the rest, instead of failing the job (SETTINGS_MODE). */
  lenient: boolean;
  log: Logger;
}

function toUsage(u: WireUsage | null): Usage | undefined {
  if (!u || u.prompt === null) return undefined;
  const completion = (u.candidates ?? 0) + (u.thoughts ?? 0);
  return {
    promptTokens: u.prompt,
    completionTokens: completion,
    totalTokens: u.total ?? u.prompt + completion,
    ...(u.thoughts !== null ? { reasoningTokens: u.thoughts } : {}),
  };
}

/**
 * Loads the chat page (with a model, or the page's own), and records what a fresh chat is: the
 * model's defaults, except system instructions a reload brought back from the presets (they
 * must be overwritten by the next job); then temporary chat. For the lane's first load and for
 * every model switch alike.
 */
export async function openChat(
  page: AiStudioPage,
  state: PageState,
  model: string | null,
  signal?: AbortSignal,
): Promise<void> {
  state.models = await page.load(model, signal);
  state.applied = "defaults";
  state.unsure = (await page.systemInstructionsBlank()) ? [] : ["systemInstruction"];
  await page.ensureTemporaryChat(signal);
}

/** Puts the page on the job's model (reloading it when it shows another); its entry in ListModels. */
export async function ensureModel(
  ctx: RunContext,
  model: string,
  signal: AbortSignal,
): Promise<ModelInfo> {
  const current = await ctx.page.currentModel(ctx.state.models, signal).catch(() => null);
  if (current !== model) {
    // The page reads its model from the preference on load; ?model= also selects it (2026).
    await ctx.page.page.evaluate((name) => {
      const key = "aiStudioUserPreference";
      const prefs = JSON.parse(localStorage.getItem(key) ?? "{}");
      localStorage.setItem(key, JSON.stringify({ ...prefs, promptModel: name }));
    }, modelResourceName(model));
    await openChat(ctx.page, ctx.state, model, signal);
    let shown = await ctx.page.currentModel(ctx.state.models, signal);
    if (shown !== model && ctx.state.models.some((m) => m.id === modelResourceName(model))) {
      // The URL and the preference did not select it: choose it in the dialog instead.
      ctx.log.info("selecting the model through the model picker", { model, shown });
      if (await ctx.page.pickModel(model, ctx.state.models, signal)) shown = model;
    }
    if (shown !== model)
      throw new DriverError(
        "upstream_model_unavailable",
        `AI Studio did not switch to '${model}' (it shows '${shown}').`,
        false,
      );
    ctx.log.info("model selected", { model });
  }
  const info = ctx.state.models.find((m) => m.id === modelResourceName(model));
  // Another host's account may still offer it.
  if (!info)
    throw new DriverError(
      "upstream_model_unavailable",
      `AI Studio does not list the model '${model}' for this account.`,
      true,
    );
  return info;
}

export async function runJob(
  ctx: RunContext,
  job: JobFrame,
  sink: JobSink,
  signal: AbortSignal,
  /** The bytes of the job's attachments, in the job's attachment order. */
  files: readonly Uint8Array[] = [],
): Promise<void> {
  const request = job.request;
  sink({ t: "started" });
  const model = await ensureModel(ctx, request.model, signal);
  await ctx.page.newChat(signal);

  const wanted = resolveSettings(request, model, systemInstructionOf(request));
  const current = ctx.state.applied === "defaults" ? defaultSettings(model) : ctx.state.applied;
  const changed = changedSettings(current, wanted, ctx.state.unsure);
  if (changed.length > 0) {
    ctx.log.debug("applying run settings", { jobId: job.jobId, changed: changed.join(",") });
    ctx.state.applied = null; // half-applied settings are unknown settings
    const { dropped } = await ctx.page.settings.apply(wanted, changed, {
      lenient: ctx.lenient,
      signal,
    });
    ctx.state.unsure = dropped;
    // Told to the client: what differs from a fresh chat and so is missing from this answer (a
    // control retried only because an earlier job could not apply it is not this job's wish).
    const defaults = defaultSettings(model);
    const missing = dropped.filter(
      (k) => JSON.stringify(wanted[k]) !== JSON.stringify(defaults[k]),
    );
    if (missing.length > 0) {
      const settings = missing.map((k) => SETTING_NAMES[k].param);
      ctx.log.warn("job runs without settings the page would not take", {
        jobId: job.jobId,
        dropped: settings.join(","),
      });
      sink({ t: "settings_dropped", settings });
    }
  }
  ctx.state.applied = wanted;
  const attachments = jobAttachments(request);
  if (attachments.length > 0) {
    const staged = await stageFiles(attachments, files);
    try {
      await ctx.page.attach(staged.files, signal);
    } finally {
      // The page has read each file once its preview shows; nothing of them stays on disk.
      await removeQuietly(staged.remove, ctx.log);
    }
  }
  await ctx.page.fillPrompt(renderPrompt(request), signal);

  const calls: WireToolCall[] = [];
  let finish: number | null = null;
  /** The prompt feedback's block reason: the prompt itself was refused, before any output. */
  let blockedReason: number | null = null;
  let output = false;
  /** The answer text sent last (its end decides whether a code block needs a line break). */
  let lastText = "";
  let usage: WireUsage | null = null;
  /** The size of an answer image too big to relay (the pool would refuse the frame). */
  let oversized: number | null = null;
  let requestSeen = false;
  let resolveEnd!: (end: CaptureEnd) => void;
  const ended = new Promise<CaptureEnd>((resolve) => (resolveEnd = resolve));
  let lastActivity = Date.now();

  const armed = ctx.capture.arm({
    onRequest: () => {
      requestSeen = true;
      lastActivity = Date.now();
    },
    onBytes: () => (lastActivity = Date.now()),
    onEvent: (event) => {
      switch (event.type) {
        case "text":
          output = true;
          lastText = event.text;
          sink({ t: "text", text: event.text });
          break;
        case "executable_code":
        case "code_result":
          // Relayed as text: the client asked for code execution and sees what ran.
          output = true;
          lastText = codePartText(event, lastText);
          sink({ t: "text", text: lastText });
          break;
        case "thought":
          output = true;
          sink({ t: "thought", text: event.text });
          break;
        case "inline_data":
          // The pictures an image model shows while it thinks are drafts: only the answer's go out.
          if (event.thought || !event.mimeType.startsWith("image/")) break;
          if (event.data.length > MAX_IMAGE_BASE64) {
            oversized = event.data.length;
            break;
          }
          output = true;
          sink({ t: "image", mimeType: event.mimeType, data: event.data });
          break;
        case "function_call":
          calls.push({
            index: calls.length,
            id: event.id
              ? `call_${event.id}`
              : `call_${job.jobId.replace(/[^A-Za-z0-9]/g, "").slice(-12)}_${calls.length}`,
            name: event.name,
            arguments: JSON.stringify(event.args),
          });
          break;
        case "finish":
          finish = event.reason;
          break;
        case "blocked":
          finish = 3;
          blockedReason = event.reason;
          break;
        case "usage":
          usage = event.usage;
          break;
      }
    },
    onEnd: resolveEnd,
  });

  const aborted = new Promise<"aborted">((resolve) =>
    signal.addEventListener("abort", () => resolve("aborted"), { once: true }),
  );
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const stalled = new Promise<"stalled" | "no-request">((resolve) => {
    watchdog = setInterval(() => {
      const quiet = Date.now() - lastActivity;
      if (!requestSeen && quiet > ctx.pageTimeoutMs) resolve("no-request");
      else if (requestSeen && quiet > ctx.stallTimeoutMs) resolve("stalled");
    }, 250);
  });

  try {
    // Cancelled while Run is being pressed: the page may be generating already, so the same
    // way out as a cancel mid-answer (Stop, then a fresh chat).
    const pressed = await ctx.page
      .pressRun(() => requestSeen, signal)
      .then(
        () => "pressed" as const,
        (err: unknown) => {
          if (signal.aborted) return "aborted" as const;
          throw err;
        },
      );
    const outcome = pressed === "aborted" ? pressed : await Promise.race([ended, aborted, stalled]);
    if (outcome === "aborted") {
      armed.cancel();
      await withTimeout(ctx.page.stop(), ctx.pageTimeoutMs, undefined);
      await withTimeout(ctx.page.newChat(), ctx.pageTimeoutMs, undefined);
      throw new AbortedError(String(signal.reason ?? "cancelled"));
    }
    if (outcome === "stalled" || outcome === "no-request") {
      armed.cancel();
      // The page itself may be what stopped: every read from it is bounded.
      const signIn = await withTimeout(ctx.page.signInReason(), 2_000, null);
      if (signIn || outcome === "no-request") {
        const ui = await withTimeout(ctx.page.errors(), 2_000, NO_ERRORS);
        if (signIn || ui.callout || ui.toast || ui.turnError)
          throw classifyFailure(null, ui, signIn);
      }
      await withTimeout(ctx.page.stop(), 2_000, undefined);
      throw new DriverError(
        "upstream_stalled",
        outcome === "stalled"
          ? `AI Studio sent nothing for ${Math.round(ctx.stallTimeoutMs / 1000)}s.`
          : "The page never sent its GenerateContent request after Run.",
        !requestSeen,
      );
    }
    const end = outcome;
    if (
      end.status === 200 &&
      end.failed === null &&
      blockedReason !== null &&
      !output &&
      calls.length === 0
    )
      // Refused before any answer: a 400 as OpenAI's moderation gives, not an empty completion.
      throw new DriverError(
        "upstream_blocked",
        `AI Studio blocked the prompt (block reason ${blockedReason}).`,
        false,
      );
    if (end.status === 200 && end.failed === null && oversized !== null)
      throw new DriverError(
        "upstream_error",
        `AI Studio answered with an image of ${oversized} base64 characters, more than the ${MAX_IMAGE_BASE64} a job event carries.`,
        false,
      );
    if (end.status === 200 && end.failed === null) {
      if (calls.length > 0) sink({ t: "tool_calls", toolCalls: calls });
      const u = toUsage(usage);
      sink({
        t: "done",
        finishReason: finishReasonOf(finish, calls.length > 0),
        ...(u ? { usage: u } : {}),
      });
      return;
    }
    // Let the page render its own message for the failure before reading it.
    await ctx.page.errorShown(1_500);
    const ui = await withTimeout(ctx.page.errors(), 2_000, NO_ERRORS);
    throw classifyFailure(end, ui, await withTimeout(ctx.page.signInReason(), 2_000, null));
  } finally {
    clearInterval(watchdog);
  }
}
