import type { JobMessage, JobRequest } from "@aistudio-edge/shared";

/*
 * The conversation as one prompt. AI Studio's chat keeps its own history, but each job starts
 * a fresh chat, so the OpenAI history is written into the prompt with plain role markers the
 * model reads reliably. The system and developer messages the conversation starts with go to
 * System instructions; one in the middle (SillyTavern puts its author's notes and world info
 * there) stays where the client put it, marked as a system message, since its place is part of
 * its meaning. A conversation that is a single user message is sent as it is, without markers.
 */

/** How many messages the leading run of system messages holds. */
function leadingSystem(request: JobRequest): number {
  const first = request.messages.findIndex((m) => m.role !== "system");
  return first === -1 ? request.messages.length : first;
}

function renderMessage(m: JobMessage): string {
  const attachments = m.attachments?.length
    ? `\n[${m.attachments.length} attachment(s) not forwarded: ${m.attachments.map((a) => a.kind).join(", ")}]`
    : "";
  switch (m.role) {
    case "user":
      return `[User${m.name ? ` ${m.name}` : ""}]\n${m.content}${attachments}`;
    case "assistant": {
      const calls = (m.toolCalls ?? []).map(
        (c) => `[Assistant called tool ${c.name} (id ${c.id}) with arguments ${c.arguments}]`,
      );
      return [m.content !== "" ? `[Assistant]\n${m.content}` : "", ...calls]
        .filter((s) => s !== "")
        .join("\n");
    }
    case "tool":
      return `[Tool result${m.name ? ` from ${m.name}` : ""}${m.toolCallId ? ` for call ${m.toolCallId}` : ""}]\n${m.content}`;
    case "system":
      return `[System]\n${m.content}`;
  }
}

export function systemInstructionOf(request: JobRequest): string {
  return request.messages
    .slice(0, leadingSystem(request))
    .map((m) => m.content)
    .join("\n\n");
}

export function renderPrompt(request: JobRequest): string {
  const turns = request.messages.slice(leadingSystem(request));
  if (turns.length === 1 && turns[0]!.role === "user" && !turns[0]!.attachments?.length)
    return turns[0]!.content;
  const body = turns
    .map(renderMessage)
    .filter((s) => s !== "")
    .join("\n\n");
  const last = turns.at(-1);
  const ask =
    last?.role === "tool"
      ? "Continue as the assistant, using the tool results above."
      : "Reply as the assistant to the last message.";
  return `The conversation so far:\n\n${body}\n\n${ask}`;
}
