import { AttachmentQueue } from "../attachments/attachment-queue.js";
import {
  geminiResponseFormat,
  normalizeModelId,
  type GeminiContent,
  type GeminiGenerateContentRequest,
  type GeminiPart,
  type JobAttachment,
  type JobMessage,
  type JobRequest,
} from "@aistudio-edge/shared";
import type { ResolvedModel } from "../models/model-names.js";
import { partMedia, systemParts } from "./media-sources.js";

/*
 * A Gemini request as the job a host runs. The system instruction becomes the system message;
 * each turn keeps its place: a model turn is an assistant message with its text and function
 * calls, a user turn a user message, except that each `functionResponse` is a tool message of
 * its own, tied to the call it answers. Gemini's calls may come without ids (only newer models
 * send them), so a call without one gets an id from its place in the conversation, and a
 * response is matched by its id, else to the first unanswered call of its name. Thoughts of
 * earlier answers are dropped: the page never sees its own thoughts again; code the model ran
 * and its output are text. AI Studio cannot force a function call, so mode ANY also adds a line
 * to the system instruction asking for the call (best effort).
 */

/** A call of the conversation, for matching the responses that come after it. */
interface Call {
  id: string;
  name: string;
  answered: boolean;
}

class CallLedger {
  private readonly calls: Call[] = [];

  add(id: string, name: string): void {
    this.calls.push({ id, name, answered: false });
  }

  /** The call a response answers: by id, else the first unanswered one of its name. */
  answer(id: string | null | undefined, name: string): string {
    const call =
      (id ? this.calls.find((c) => c.id === id) : undefined) ??
      this.calls.find((c) => !c.answered && c.name === name);
    if (call) call.answered = true;
    return call?.id ?? id ?? name;
  }
}

/** The text a part puts into the prompt (files travel beside it), or null. */
function partText(part: GeminiPart): string | null {
  if (typeof part.text === "string") return part.text === "" ? null : part.text;
  if (part.executableCode) {
    const language = (part.executableCode.language ?? "")
      .toLowerCase()
      .replace("language_unspecified", "");
    return `\`\`\`${language}\n${part.executableCode.code}\n\`\`\``;
  }
  if (part.codeExecutionResult) {
    const { outcome, output } = part.codeExecutionResult;
    return `Code execution result${outcome ? ` (${outcome})` : ""}:\n${output ?? ""}`;
  }
  return null;
}

interface Draft {
  texts: string[];
  attachments: JobAttachment[];
  toolCalls: NonNullable<JobMessage["toolCalls"]>;
}

const emptyDraft = (): Draft => ({ texts: [], attachments: [], toolCalls: [] });

function messageOf(role: JobMessage["role"], draft: Draft): JobMessage | null {
  if (draft.texts.length === 0 && draft.attachments.length === 0 && draft.toolCalls.length === 0)
    return null;
  return {
    role,
    content: draft.texts.join("\n"),
    ...(draft.attachments.length > 0 ? { attachments: draft.attachments } : {}),
    ...(draft.toolCalls.length > 0 ? { toolCalls: draft.toolCalls } : {}),
  };
}

function conversation(contents: GeminiContent[], files: AttachmentQueue): JobMessage[] {
  const out: JobMessage[] = [];
  const calls = new CallLedger();
  contents.forEach((content, i) => {
    const role = content.role === "model" ? "assistant" : "user";
    let draft = emptyDraft();
    const flush = () => {
      const message = messageOf(role, draft);
      if (message) out.push(message);
      draft = emptyDraft();
    };
    content.parts.forEach((part, j) => {
      const attachments = files.take(partMedia(part, "").length);
      if (part.thought === true) return;
      if (part.functionCall) {
        const { id, name, args } = part.functionCall;
        const callId = id ?? `call_${i}_${j}`;
        calls.add(callId, name);
        draft.toolCalls.push({ id: callId, name, arguments: JSON.stringify(args ?? {}) });
        return;
      }
      if (part.functionResponse) {
        flush();
        const { id, name, response } = part.functionResponse;
        out.push({
          role: "tool",
          content: JSON.stringify(response ?? {}),
          toolCallId: calls.answer(id, name),
          name,
          ...(attachments.length > 0 ? { attachments } : {}),
        });
        return;
      }
      const text = partText(part);
      if (text !== null) draft.texts.push(text);
      draft.attachments.push(...attachments);
    });
    flush();
  });
  return out;
}

function systemMessage(
  req: GeminiGenerateContentRequest,
  files: AttachmentQueue,
): JobMessage | null {
  const draft = emptyDraft();
  for (const part of systemParts(req)) {
    draft.attachments.push(...files.take(partMedia(part, "").length));
    const text = part.thought === true ? null : partText(part);
    if (text !== null) draft.texts.push(text);
  }
  const forced = forcedCallLine(req);
  if (forced !== null) draft.texts.push(forced);
  return messageOf("system", draft);
}

/** The function names mode ANY restricts the model to, if any. */
function allowedNames(req: GeminiGenerateContentRequest): string[] | null {
  const calling = req.toolConfig?.functionCallingConfig;
  const names = calling?.allowedFunctionNames;
  const restricts = calling?.mode === "ANY" || calling?.mode === "VALIDATED";
  return restricts && names && names.length > 0 ? names : null;
}

/** The system instruction's line that asks for a call the page cannot force. */
function forcedCallLine(req: GeminiGenerateContentRequest): string | null {
  if (req.toolConfig?.functionCallingConfig?.mode !== "ANY") return null;
  const names = allowedNames(req);
  if (names?.length === 1) return `You must answer this turn by calling the function ${names[0]}.`;
  if (names)
    return `You must answer this turn by calling one of the functions ${names.join(", ")}.`;
  return "You must answer this turn by calling one of the declared functions.";
}

function toolChoice(req: GeminiGenerateContentRequest): JobRequest["toolChoice"] {
  switch (req.toolConfig?.functionCallingConfig?.mode) {
    case "NONE":
      return "none";
    case "ANY": {
      const names = allowedNames(req);
      return names?.length === 1 ? { name: names[0]! } : "required";
    }
    default:
      return "auto";
  }
}

function tools(req: GeminiGenerateContentRequest): JobRequest["tools"] {
  const allowed = allowedNames(req);
  return (req.tools ?? [])
    .flatMap((t) => t.functionDeclarations ?? [])
    .filter((d) => allowed === null || allowed.includes(d.name))
    .map((d) => {
      const parameters = d.parameters ?? d.parametersJsonSchema;
      return {
        name: d.name,
        ...(d.description ? { description: d.description } : {}),
        ...(parameters ? { parameters: parameters as Record<string, unknown> } : {}),
      };
    });
}

/** Thinking as the job sets it: a budget (0 is off), a level, or the page's default (-1). */
function thinking(
  req: GeminiGenerateContentRequest,
): Pick<JobRequest, "thinkingBudget" | "reasoningEffort"> {
  const config = req.generationConfig?.thinkingConfig;
  const budget = config?.thinkingBudget;
  if (budget !== undefined && budget !== null && budget >= 0) return { thinkingBudget: budget };
  const level = config?.thinkingLevel;
  if (level === "MINIMAL" || level === "LOW" || level === "MEDIUM" || level === "HIGH")
    return { reasoningEffort: level.toLowerCase() as "minimal" | "low" | "medium" | "high" };
  return {};
}

/**
 * Whether the answer shows the model's thoughts. Google returns them only when the request says
 * `includeThoughts: true`; a model-name suffix that turns thinking on (`-thinking-high`) is
 * asking for them too, as it is on the Anthropic door, unless the request says false.
 */
export function includesThoughts(
  req: GeminiGenerateContentRequest,
  resolved: Pick<ResolvedModel, "settings">,
): boolean {
  const asked = req.generationConfig?.thinkingConfig?.includeThoughts;
  if (asked !== undefined && asked !== null) return asked;
  const effort = resolved.settings.reasoningEffort;
  return effort !== undefined && effort !== "none";
}

/**
 * The job for a validated request. `model` is the name in the URL; `attachments` are the
 * request's `geminiAttachmentSources`, resolved, in the same order.
 */
export function geminiToJob(
  req: GeminiGenerateContentRequest,
  options: { model: string; stream: boolean },
  attachments: readonly JobAttachment[] = [],
): JobRequest {
  const files = new AttachmentQueue(attachments, "geminiToJob");
  const config = req.generationConfig;
  const system = systemMessage(req, files);
  const messages = [...(system ? [system] : []), ...conversation(req.contents, files)];
  // Turns of nothing but thoughts leave no message; a job needs one.
  if (messages.length === 0) messages.push({ role: "user", content: "" });
  const has = (key: "googleSearch" | "googleSearchRetrieval" | "urlContext" | "codeExecution") =>
    (req.tools ?? []).some((t) => t[key] !== undefined && t[key] !== null);
  const aspectRatio = config?.imageConfig?.aspectRatio;

  return {
    model: normalizeModelId(options.model),
    messages,
    ...(typeof config?.temperature === "number" ? { temperature: config.temperature } : {}),
    ...(typeof config?.topP === "number" ? { topP: config.topP } : {}),
    ...(typeof config?.maxOutputTokens === "number"
      ? { maxOutputTokens: config.maxOutputTokens }
      : {}),
    stop: config?.stopSequences ?? [],
    ...thinking(req),
    tools: tools(req),
    toolChoice: toolChoice(req),
    responseFormat: geminiResponseFormat(config) as JobRequest["responseFormat"],
    googleSearch: has("googleSearch") || has("googleSearchRetrieval"),
    ...(has("urlContext") ? { urlContext: true } : {}),
    ...(has("codeExecution") ? { codeExecution: true } : {}),
    ...(aspectRatio ? { imageAspectRatio: aspectRatio } : {}),
    stream: options.stream,
  };
}
