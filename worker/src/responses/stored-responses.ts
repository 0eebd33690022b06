import { z } from "zod";
import { JobMessageSchema, withinDepth, type JobMessage } from "@aistudio-edge/shared";
import type { Env } from "../env.js";
import { ApiError } from "../errors.js";
import { log } from "../log.js";
import { MAX_BODY_DEPTH } from "../validate.js";
import type { OutputItem, ResponseObject } from "./response-object.js";

/*
 * The Worker's side of the response store (response-store.ts): which Durable Object holds a
 * key's responses, what a record holds, and the conversation a continuation starts from. The
 * client's key itself is never stored: the store is chosen by the key's id, and records hold
 * only the response and the conversation.
 */

/** A stored record, validated when read back: storage is a boundary like any other. */
export const StoredRecordSchema = z.object({
  response: withinDepth(z.record(z.string(), z.unknown()), MAX_BODY_DEPTH),
  conversation: z.array(JobMessageSchema),
});
export type StoredRecord = z.infer<typeof StoredRecordSchema>;

/** What a response id looks like (newResponseId); anything else is not looked up. */
const RESPONSE_ID = /^resp_[A-Za-z0-9_-]{1,100}$/;

function storeOf(env: Env, keyId: string) {
  return env.RESPONSES.get(env.RESPONSES.idFromName(keyId));
}

/** The key's stored record with this id, or null (unknown, expired, or another key's). */
export async function loadRecord(
  env: Env,
  keyId: string,
  id: string,
): Promise<StoredRecord | null> {
  if (!RESPONSE_ID.test(id)) return null;
  const json = await storeOf(env, keyId).get(id);
  if (json === null) return null;
  const parsed = StoredRecordSchema.safeParse(JSON.parse(json));
  if (parsed.success) return parsed.data;
  log.error("a stored response does not parse", { id, error: parsed.error.message });
  return null;
}

/** The conversation `previous_response_id` continues, or the 400 OpenAI answers for it. */
export async function loadPrevious(env: Env, keyId: string, id: string): Promise<StoredRecord> {
  const record = await loadRecord(env, keyId, id);
  if (record !== null) return record;
  throw new ApiError(
    "invalid_request",
    `previous_response_id: Previous response with id '${id.slice(0, 128)}' not found or expired.`,
    { param: "previous_response_id" },
  );
}

export async function deleteRecord(env: Env, keyId: string, id: string): Promise<boolean> {
  return RESPONSE_ID.test(id) && (await storeOf(env, keyId).delete(id));
}

/** The answer as the assistant turn a continuation replays: its text and its tool calls. */
export function assistantTurn(output: readonly OutputItem[]): JobMessage | null {
  const texts: string[] = [];
  const toolCalls: NonNullable<JobMessage["toolCalls"]> = [];
  for (const item of output) {
    if (item.type === "message") texts.push(...item.content.map((c) => c.text));
    else if (item.type === "function_call")
      toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
    else if (item.type === "custom_tool_call")
      // As the page was given it: a function of one string (translate-request.ts).
      toolCalls.push({
        id: item.call_id,
        name: item.name,
        arguments: JSON.stringify({ input: item.input }),
      });
  }
  if (texts.length === 0 && toolCalls.length === 0) return null;
  return {
    role: "assistant",
    content: texts.join(""),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
  };
}

/**
 * Keeps a completed response and the conversation it ends for `ttlSeconds`, off the response
 * path. The write is started before the answer's last bytes go out, so a client's next request
 * (which needs a round trip first) finds it; a failed write is logged and only costs the
 * continuation. Pictures are left out of the stored copy: they can be megabytes each, and the
 * continuation does not send them to the page again anyway.
 */
export function storeResponse(
  env: Env,
  keyId: string,
  waitUntil: (work: Promise<unknown>) => void,
  record: { response: ResponseObject; conversation: JobMessage[]; ttlSeconds: number },
): Promise<void> {
  const turn = assistantTurn(record.response.output);
  const stored: StoredRecord = {
    response: {
      ...record.response,
      output: record.response.output.map((item) =>
        item.type === "image_generation_call" ? { ...item, result: null } : item,
      ),
    },
    conversation: turn !== null ? [...record.conversation, turn] : record.conversation,
  };
  const expiresAt = Date.now() + record.ttlSeconds * 1000;
  // Kept alive past a client that hangs up meanwhile; a failed write costs the continuation
  // only, never the answer.
  const write = storeOf(env, keyId)
    .put(record.response.id, JSON.stringify(stored), expiresAt)
    .catch((err: unknown) =>
      log.warn("could not store a response", { id: record.response.id, error: String(err) }),
    );
  waitUntil(write);
  return write;
}
