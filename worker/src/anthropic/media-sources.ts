import type {
  AnthropicContentBlock,
  AnthropicCountTokensRequest,
  AnthropicToolResultPart,
  AttachmentSource,
} from "@aistudio-edge/shared";

/*
 * Where the files of an Anthropic request are: image blocks, base64 and url documents, images
 * inside a `content` document and inside tool results. One function says it for one block, so
 * the list the Worker resolves (`anthropicAttachmentSources`) and the places the translation
 * puts the resolved files (`blockMedia` per block, translate-request.ts) cannot disagree on the
 * order.
 */

type Block = AnthropicContentBlock | AnthropicToolResultPart;

/** The files one block carries, nested ones included, in order; `path` is the block's own. */
export function blockMedia(block: Block, path: string): AttachmentSource[] {
  switch (block.type) {
    case "image": {
      const { source } = block;
      if (source.type === "base64")
        return [
          {
            kind: "image",
            param: `${path}.source.data`,
            source: { type: "base64", data: source.data, mimeType: source.media_type },
          },
        ];
      if (source.type === "url")
        return [
          { kind: "image", param: `${path}.source.url`, source: { type: "url", url: source.url } },
        ];
      return []; // file sources are refused by the schema
    }
    case "document": {
      const { source } = block;
      switch (source.type) {
        case "base64":
          return [
            {
              kind: "file",
              param: `${path}.source.data`,
              source: { type: "base64", data: source.data, mimeType: source.media_type },
            },
          ];
        case "url":
          return [
            { kind: "file", param: `${path}.source.url`, source: { type: "url", url: source.url } },
          ];
        case "content":
          return source.content.flatMap((part, k) =>
            blockMedia(part, `${path}.source.content[${k}]`),
          );
        default:
          return []; // plain text goes into the prompt; file sources are refused by the schema
      }
    }
    case "tool_result":
      return (block.content ?? []).flatMap((part, k) => blockMedia(part, `${path}.content[${k}]`));
    default:
      return [];
  }
}

/** Every file of a request in conversation order, with the request path a 400 names. */
export function anthropicAttachmentSources(req: AnthropicCountTokensRequest): AttachmentSource[] {
  return req.messages.flatMap((message, i) =>
    message.role === "system"
      ? []
      : message.content.flatMap((block, j) => blockMedia(block, `messages[${i}].content[${j}]`)),
  );
}
