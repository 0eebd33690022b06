import { jobAttachments, type JobFrame, type JobRequest } from "@aistudio-edge/shared";
import { DriverError } from "./errors.js";
import { ensureModel, type JobSink, type RunContext } from "./job-runner.js";
import { renderPrompt, systemInstructionOf } from "./prompt-render.js";
import { removeQuietly, stageFiles } from "./uploads.js";

/*
 * A count-only job (`request.countTokens`): the page's own token count of what the job would
 * send, without pressing Run, so nothing is generated and no quota is spent. The model, the
 * files and the prompt go in as for a real run; the count is the total of the page's own
 * CountTokens answer (aistudio-page.ts `countPrompt`). Then the prompt box is emptied, so the
 * lane's next job starts as after any other.
 *
 * The page's CountTokens carries the contents alone (facts §6), while every vendor's count
 * includes the system instructions and the tools. So both are written into the counted text
 * (the instructions first, the function declarations after the prompt as their JSON) instead
 * of into their own controls: the page's tokenizer counts them all, and no run setting is
 * touched, which also spares the count the settings panel's time.
 */

/** The text a count job puts in the prompt box: instructions, the prompt, the declarations. */
export function countedText(request: JobRequest): string {
  return [
    systemInstructionOf(request),
    renderPrompt(request),
    ...request.tools.map((tool) => JSON.stringify(tool)),
  ]
    .filter((part) => part !== "")
    .join("\n\n");
}

export async function runCountJob(
  ctx: RunContext,
  job: JobFrame,
  sink: JobSink,
  signal: AbortSignal,
  /** The bytes of the job's attachments, in the job's attachment order. */
  files: readonly Uint8Array[] = [],
): Promise<void> {
  const request = job.request;
  sink({ t: "started" });
  await ensureModel(ctx, request.model, signal);
  await ctx.page.newChat(signal);

  const attachments = jobAttachments(request);
  if (attachments.length > 0) {
    const staged = await stageFiles(attachments, files);
    try {
      await ctx.page.attach(staged.files, signal);
    } finally {
      await removeQuietly(staged.remove, ctx.log);
    }
  }
  const text = countedText(request);
  // With no text and no file there is nothing for the page to count (files come with markers).
  const total = text === "" ? 0 : await ctx.page.countPrompt(text, signal);
  if (total === null)
    throw new DriverError(
      "upstream_unsupported",
      "This AI Studio page counts tokens only on Run (or its count could not be read), so a count-only job cannot be answered here.",
      false,
    );
  await ctx.page.clearPrompt(signal);
  ctx.log.debug("counted the prompt's tokens", { jobId: job.jobId, total });
  sink({
    t: "done",
    finishReason: "stop",
    usage: { promptTokens: total, completionTokens: 0, totalTokens: total },
  });
}
