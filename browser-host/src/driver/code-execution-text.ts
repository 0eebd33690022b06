import type { WireEvent } from "../wire/generate-content-response.js";

/*
 * Code execution's parts as answer text. The job event vocabulary has no code parts, and a
 * client that asked for code execution wants to see what ran and what it printed, so each part
 * becomes a fenced Markdown block in the text stream, where the model put it: the code as
 * ```python, its result as ```output (with a line before it when the run failed or timed out).
 */

type CodePart = Extract<WireEvent, { type: "executable_code" | "code_result" }>;

/**
 * A fence longer than any run of backticks in the content, so code that holds ``` itself
 * cannot close the block early (CommonMark: the closing fence is at least as long).
 */
function fenceFor(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function fenced(info: string, content: string): string {
  const fence = fenceFor(content);
  const body = content.endsWith("\n") || content === "" ? content : `${content}\n`;
  return `${fence}${info}\n${body}${fence}\n`;
}

const FAILURE_LINE: Record<string, string> = {
  failed: "The code failed:\n",
  deadline_exceeded: "The code ran out of time:\n",
};

/**
 * The text for one code part. `before` is the answer text so far (only its end matters): a
 * fence must open a line of its own.
 */
export function codePartText(part: CodePart, before: string): string {
  const block =
    part.type === "executable_code"
      ? fenced(part.language === "python" ? "python" : "", part.code)
      : `${FAILURE_LINE[part.outcome] ?? ""}${fenced("output", part.output)}`;
  return before === "" || before.endsWith("\n") ? block : `\n${block}`;
}
