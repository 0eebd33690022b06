import type { Browser } from "puppeteer-core";
import {
  PROTOCOL_VERSION,
  bareModelId,
  plainJobRequest,
  type JobFrame,
} from "@aistudio-edge/shared";
import type { HostConfig } from "../config.js";
import { AiStudioPage } from "../driver/aistudio-page.js";
import { DriverError } from "../driver/errors.js";
import type { SelectorCatalog } from "../driver/selector-overrides.js";
import { Lane, type LaneHooks } from "../lane.js";
import type { Logger } from "../log.js";
import type { ModelInfo } from "../wire/list-models.js";
import { CONCEPTS, ruleOf } from "./concepts.js";
import { Findings } from "./findings.js";
import type { RunResult } from "./report.js";

/*
 * `--run`: one tiny prompt through the host's real job path — a Lane of its own (browser
 * context, page load, temporary chat, settings, Run, the answer read from the network) — and
 * then, on the chat it left, the concepts only a chat with turns has: its turns, and New chat
 * with its confirm dialog.
 */

export const TEST_PROMPT =
  "This is a self-check of the browser host. Reply with one short sentence.";

/** The lane's model: the one the page showed if ListModels has it, else the first listed. */
function modelFor(current: string | null, models: ModelInfo[]): string | null {
  const ids = models.map((m) => bareModelId(m.id));
  if (current !== null && ids.includes(current)) return current;
  return ids[0] ?? null;
}

export async function trialRun(
  browser: Browser,
  config: HostConfig,
  log: Logger,
  hooks: LaneHooks,
  catalog: SelectorCatalog,
  page: { currentModel: string | null; models: ModelInfo[] },
): Promise<{ result: RunResult; findings: Findings | null }> {
  const model = modelFor(page.currentModel, page.models) ?? "gemini-2.5-flash";
  const job: JobFrame = {
    v: PROTOCOL_VERSION,
    type: "job",
    jobId: `self_check_${Date.now().toString(36)}`,
    seq: 0,
    deadline: Date.now() + 3 * config.PAGE_TIMEOUT_MS,
    request: plainJobRequest({ model, messages: [{ role: "user", content: TEST_PROMPT }] }),
  };
  const lane = new Lane(0, config, log, hooks, catalog);
  const seen = { text: "", done: false, finishReason: null as string | null };
  const started = performance.now();
  try {
    await lane.run(
      browser,
      job,
      (event) => {
        if (event.t === "text") seen.text += event.text;
        if (event.t === "done") {
          seen.done = true;
          seen.finishReason = event.finishReason;
        }
      },
      AbortSignal.timeout(3 * config.PAGE_TIMEOUT_MS),
    );
    const ms = Math.round(performance.now() - started);
    const ok = seen.done && seen.text.trim() !== "";
    const result: RunResult = {
      ok,
      model,
      ms,
      answer: seen.text.replace(/\s+/g, " ").trim().slice(0, 80),
      done: seen.done,
      finishReason: seen.finishReason,
      error: ok
        ? null
        : { code: "no_answer", message: "the job ended without answer text or a done event" },
    };
    return { result, findings: await afterRun(lane, config, log, catalog) };
  } catch (err) {
    const code = err instanceof DriverError ? err.code : "error";
    return {
      result: {
        ok: false,
        model,
        ms: Math.round(performance.now() - started),
        answer: seen.text.slice(0, 80),
        done: seen.done,
        finishReason: seen.finishReason,
        error: { code, message: (err as Error).message },
      },
      findings: null,
    };
  } finally {
    await lane.close();
  }
}

/** The chat's turns, then New chat and its confirm dialog, through the driver's own newChat. */
async function afterRun(
  lane: Lane,
  config: HostConfig,
  log: Logger,
  catalog: SelectorCatalog,
): Promise<Findings | null> {
  if (!lane.page) return null;
  const ui = new AiStudioPage(
    lane.page,
    config.AISTUDIO_URL,
    config.PAGE_TIMEOUT_MS,
    log,
    catalog,
    {
      acceptTerms: config.ACCEPT_TERMS,
    },
  );
  const findings = new Findings(ui.locate, Math.min(config.PAGE_TIMEOUT_MS, 5_000));
  const names = CONCEPTS.filter((c) => ruleOf(c).afterRun);
  if (!(await findings.look(["chatTurn"], "the answered chat shows no turns"))) {
    findings.skip(names, "the chat's turns were not found");
    return findings;
  }
  try {
    // New chat pressed here, so the confirm dialog can be looked at; the driver's newChat confirms.
    await ui.locate.click("newChat", { timeoutMs: config.PAGE_TIMEOUT_MS });
    if (!(await findings.look(["dialogConfirm"])))
      findings.skip(["dialogConfirm"], "the page asked nothing on New chat");
    await ui.newChat(AbortSignal.timeout(Math.min(config.PAGE_TIMEOUT_MS, 10_000)));
  } catch (err) {
    findings.missing("dialogConfirm", `clearing the chat failed: ${(err as Error).message}`);
  }
  return findings;
}
