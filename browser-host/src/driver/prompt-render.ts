import type { JobMessage, JobRequest } from "@aistudio-edge/shared";

/*
 * The conversation as one prompt. AI Studio's chat keeps its own history, but each job starts
 * a fresh chat, so the OpenAI history is written into the prompt with plain role markers the
 * model reads reliably. The system and developer messages the conversation starts with go to
 * System instructions; one in the middle (SillyTavern puts its author's notes and world info
 * there) stays where the client put it, marked as a system message, since its place is part of
 * its meaning. A conversation that is a single user message is sent as it is, without markers.
 *
 * Files are uploaded to the page's prompt, all together, so the model sees them beside the whole
 * text; the text marks where each one was sent (`[attachment 2: image/png]` in the turn that
 * sent it), numbered across the conversation in upload order, so "the first picture" in a
 * follow-up still points at the right file.
 */

/** How many messages the leading run of system messages holds. */
function leadingSystem(request: JobRequest): number {
  const first = request.messages.findIndex((m) => m.role !== "system");
  return first === -1 ? request.messages.length : first;
}

/** Numbers every attachment of the conversation, in order, from 1: the upload order. */
function numbering(messages: readonly JobMessage[]): Map<JobMessage, number> {
  const first = new Map<JobMessage, number>();
  let next = 1;
  for (const m of messages) {
    first.set(m, next);
    next += m.attachments?.length ?? 0;
  }
  return first;
}

function markers(m: JobMessage, first: number, prefix = ""): string {
  return (m.attachments ?? [])
    .map((a, i) => `[${prefix}attachment ${first + i}: ${a.mimeType}]`)
    .join("\n");
}

function renderMessage(m: JobMessage, first: number): string {
  const marks = markers(m, first);
  const said = [m.content, marks].filter((s) => s !== "").join("\n");
  switch (m.role) {
    case "user":
      return `[User${m.name ? ` ${m.name}` : ""}]\n${said}`;
    case "assistant": {
      const calls = (m.toolCalls ?? []).map(
        (c) => `[Assistant called tool ${c.name} (id ${c.id}) with arguments ${c.arguments}]`,
      );
      return [said !== "" ? `[Assistant]\n${said}` : "", ...calls]
        .filter((s) => s !== "")
        .join("\n");
    }
    case "tool":
      return `[Tool result${m.name ? ` from ${m.name}` : ""}${m.toolCallId ? ` for call ${m.toolCallId}` : ""}]\n${said}`;
    case "system":
      return `[System]\n${said}`;
  }
}

export function systemInstructionOf(request: JobRequest): string {
  return request.messages
    .slice(0, leadingSystem(request))
    .map((m) => m.content)
    .join("\n\n");
}

export function renderPrompt(request: JobRequest): string {
  const lead = leadingSystem(request);
  const first = numbering(request.messages);
  // Files sent with the system instructions cannot go into them: the prompt says they came so.
  const systemFiles = request.messages
    .slice(0, lead)
    .map((m) => markers(m, first.get(m)!, "system "))
    .filter((s) => s !== "")
    .join("\n");
  const turns = request.messages.slice(lead);
  if (turns.length === 1 && turns[0]!.role === "user") {
    const only = turns[0]!;
    const marks = markers(only, first.get(only)!);
    return [systemFiles, only.content, marks].filter((s) => s !== "").join("\n\n");
  }
  const body = [systemFiles, ...turns.map((m) => renderMessage(m, first.get(m)!))]
    .filter((s) => s !== "")
    .join("\n\n");
  const last = turns.at(-1);
  const ask =
    last?.role === "tool"
      ? "Continue as the assistant, using the tool results above."
      : "Reply as the assistant to the last message.";
  return `The conversation so far:\n\n${body}\n\n${ask}`;
}
