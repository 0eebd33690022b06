import type {
  ErrorCode,
  FinishReason,
  ResponsesRequest,
  ResponsesTool,
  Usage,
  WireToolCall,
} from "@aistudio-edge/shared";
import { roughTokens } from "../anthropic/message-parts.js";
import type { ResolvedModel } from "../models/model-names.js";

/*
 * The Responses API's `response` object and its output items, as openai-node's types declare
 * them (resources/responses/responses.d.ts): what the streamed and the gathered answer share.
 * `output_text` is not sent: it is the SDKs' own convenience, computed from the output, and
 * OpenAI does not send it either.
 */

export type ReasoningItem = {
  id: string;
  type: "reasoning";
  summary: Array<{ type: "summary_text"; text: string }>;
};
export type OutputText = { type: "output_text"; text: string; annotations: [] };
export type MessageItem = {
  id: string;
  type: "message";
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: OutputText[];
};
export type FunctionCallItem = {
  id: string;
  type: "function_call";
  call_id: string;
  name: string;
  arguments: string;
  status: "in_progress" | "completed";
};
export type CustomToolCallItem = {
  id: string;
  type: "custom_tool_call";
  call_id: string;
  name: string;
  input: string;
};
/** An image model's picture, as OpenAI's image generation tool returns one. */
export type ImageItem = {
  id: string;
  type: "image_generation_call";
  status: "in_progress" | "completed";
  result: string | null;
};
export type OutputItem =
  ReasoningItem | MessageItem | FunctionCallItem | CustomToolCallItem | ImageItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: 0; cache_write_tokens: 0 };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** What every state of one response carries: its id and the request's settings, echoed. */
export interface ResponseBase {
  id: string;
  object: "response";
  created_at: number;
  model: string;
  instructions: string | null;
  tools: unknown[];
  tool_choice: unknown;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  text: { format: unknown; verbosity: string };
  store: boolean;
  metadata: Record<string, string>;
  truncation: "auto" | "disabled";
  background: false;
  service_tier: "default";
  prompt_cache_key: string | null;
  safety_identifier: string | null;
  top_logprobs: number;
  user?: string;
}

export interface ResponseObject extends ResponseBase {
  status: ResponseStatus;
  completed_at: number | null;
  output: OutputItem[];
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  usage: ResponsesUsage | null;
}

const hex = () => crypto.randomUUID().replaceAll("-", "");

export const newResponseId = (): string => `resp_${hex()}`;

/** An output item's id, with OpenAI's prefix for its kind (msg_, rs_, fc_, ctc_, ig_). */
export const newItemId = (prefix: string): string => `${prefix}_${hex()}`;

/** A tool as the response echoes it: the request's, with an untranslated type given back. */
function echoTool(tool: ResponsesTool): unknown {
  switch (tool.type) {
    case "other":
      return { type: tool.was };
    case "function":
      return {
        type: "function",
        name: tool.name,
        description: tool.description ?? null,
        parameters: tool.parameters ?? null,
        strict: tool.strict ?? null,
      };
    default:
      return tool;
  }
}

export function responseBase(
  req: ResponsesRequest,
  identity: { id: string; createdAt: number; stored: boolean },
): ResponseBase {
  return {
    id: identity.id,
    object: "response",
    created_at: identity.createdAt,
    // The client's own name, aliases and suffixes included.
    model: req.model,
    instructions: req.instructions ?? null,
    tools: (req.tools ?? []).map(echoTool),
    tool_choice: req.tool_choice ?? "auto",
    temperature: req.temperature ?? null,
    top_p: req.top_p ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: {
      effort: req.reasoning?.effort ?? null,
      summary: req.reasoning?.summary ?? req.reasoning?.generate_summary ?? null,
    },
    text: {
      format: req.text?.format ?? { type: "text" },
      verbosity: req.text?.verbosity ?? "medium",
    },
    store: identity.stored,
    metadata: req.metadata ?? {},
    truncation: req.truncation ?? "disabled",
    background: false,
    service_tier: "default",
    prompt_cache_key: req.prompt_cache_key ?? null,
    safety_identifier: req.safety_identifier ?? null,
    top_logprobs: req.top_logprobs ?? 0,
    ...(req.user !== undefined && req.user !== null ? { user: req.user } : {}),
  };
}

/** The response before any output: what `response.created` and `response.in_progress` carry. */
export function inProgress(base: ResponseBase): ResponseObject {
  return {
    ...base,
    status: "in_progress",
    completed_at: null,
    output: [],
    error: null,
    incomplete_details: null,
    usage: null,
  };
}

/** Whether an answer that ended so is complete (`completed`) or cut short (`incomplete`). */
export function incompleteReason(
  finish: FinishReason,
): "max_output_tokens" | "content_filter" | null {
  if (finish === "length") return "max_output_tokens";
  if (finish === "content_filter") return "content_filter";
  return null;
}

export function finishedResponse(
  base: ResponseBase,
  output: OutputItem[],
  finish: FinishReason,
  usage: ResponsesUsage,
): ResponseObject {
  const reason = incompleteReason(finish);
  return {
    ...base,
    status: reason === null ? "completed" : "incomplete",
    completed_at: Math.floor(Date.now() / 1000),
    output,
    error: null,
    incomplete_details: reason === null ? null : { reason },
    usage,
  };
}

/**
 * `response.error.code` in OpenAI's vocabulary (ResponseError's codes): a rate limit, a prompt
 * the page would not take, or a server error. The catalogue's own code is in the `error` event.
 */
export function responseErrorCode(code: ErrorCode): string {
  switch (code) {
    case "rate_limit_exceeded":
    case "upstream_quota":
    case "queue_full":
      return "rate_limit_exceeded";
    case "invalid_request":
    case "upstream_blocked":
    case "upstream_unsupported":
    case "attachment_refused":
      return "invalid_prompt";
    default:
      return "server_error";
  }
}

export function failedResponse(
  base: ResponseBase,
  output: OutputItem[],
  code: ErrorCode,
  message: string,
): ResponseObject {
  return {
    ...inProgress(base),
    status: "failed",
    output,
    error: { code: responseErrorCode(code), message },
  };
}

/**
 * The usage of a finished answer: the host's counts, else estimates from the request and the
 * output's length (the rule token-estimate.ts documents).
 */
export function responsesUsage(
  usage: Usage | undefined,
  estimate: { inputTokens: number; outputCharacters: number },
): ResponsesUsage {
  const input = usage?.promptTokens ?? estimate.inputTokens;
  const output = usage?.completionTokens ?? roughTokens(estimate.outputCharacters);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
    total_tokens: usage?.totalTokens ?? input + output,
  };
}

/**
 * Whether reasoning items carry the thoughts as summary text. OpenAI returns a summary only
 * when `reasoning.summary` asks for one (otherwise the item's summary is empty); a model-name
 * suffix that turns thinking on (`-thinking-high`) is asking for it too, as no other setting
 * can be sent by a client that only picks a model.
 */
export function summaryShown(req: ResponsesRequest, resolved: ResolvedModel): boolean {
  const reasoning = req.reasoning;
  if (reasoning?.summary || reasoning?.generate_summary) return true;
  if (reasoning?.effort !== undefined && reasoning.effort !== null) return false;
  const effort = resolved.settings.reasoningEffort;
  return effort !== undefined && effort !== "none";
}

/** A custom tool's input: the page called it as a function of one string (translate-request.ts). */
function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && "input" in parsed) {
      const { input } = parsed as { input: unknown };
      if (typeof input === "string") return input;
    }
  } catch {
    // Not JSON: the arguments are the input as they are.
  }
  return args;
}

/** A tool call as its output item: a custom tool's call, or a function call. */
export function callItem(
  call: Pick<WireToolCall, "id" | "name" | "arguments">,
  customTools: ReadonlySet<string>,
): FunctionCallItem | CustomToolCallItem {
  if (customTools.has(call.name))
    return {
      id: newItemId("ctc"),
      type: "custom_tool_call",
      call_id: call.id,
      name: call.name,
      input: customInput(call.arguments),
    };
  return {
    id: newItemId("fc"),
    type: "function_call",
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
    status: "completed",
  };
}

export function messageItem(id: string, text: string, status: MessageItem["status"]): MessageItem {
  return {
    id,
    type: "message",
    role: "assistant",
    status,
    content: status === "in_progress" ? [] : [{ type: "output_text", text, annotations: [] }],
  };
}

export function reasoningItem(id: string, text: string, shown: boolean): ReasoningItem {
  return {
    id,
    type: "reasoning",
    summary: shown && text !== "" ? [{ type: "summary_text", text }] : [],
  };
}
