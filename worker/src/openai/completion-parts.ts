import type { CompletionUsage, ImageEvent, ImageOutput, Usage } from "@aistudio-edge/shared";

/** Identity shared by every chunk of one answer (OpenAI clients check that it does not change). */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function newIdentity(model: string): CompletionIdentity {
  return {
    id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`,
    created: Math.floor(Date.now() / 1000),
    model,
  };
}

export function toOpenAIUsage(usage: Usage): CompletionUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    ...(usage.reasoningTokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }
      : {}),
  };
}

/** An answer's image as OpenRouter returns it: inline, as a `data:` URL. */
export function imageOutput(image: ImageEvent): ImageOutput {
  return { type: "image_url", image_url: { url: `data:${image.mimeType};base64,${image.data}` } };
}

/**
 * The answer's `content` as it is written, in order: the text, and with the markdown switch each
 * image as `![image](data:…)` at its place, set apart from the text around it by a blank line
 * so that it renders as a block. The streamed and the gathered answer use the same writer, so
 * both spell the content alike.
 */
export class ContentWriter {
  /** The last character written ("" before any), to decide the separators. */
  private last = "";
  private afterImage = false;

  constructor(readonly imageMarkdown: boolean) {}

  /** What to append for a piece of text. */
  text(text: string): string {
    if (text === "") return text;
    const out = this.afterImage && !text.startsWith("\n") ? `\n\n${text}` : text;
    this.afterImage = false;
    this.last = out.at(-1) ?? "";
    return out;
  }

  /** What to append for an image: the markdown, or null when the switch is off. */
  image(image: ImageOutput): string | null {
    if (!this.imageMarkdown) return null;
    const separator = this.last === "" || this.last === "\n" ? "" : "\n\n";
    this.afterImage = true;
    this.last = ")";
    return `${separator}![image](${image.image_url.url})`;
  }
}
