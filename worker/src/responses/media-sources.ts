import type {
  AttachmentSource,
  ResponsesCountRequest,
  ResponsesInputItem,
  ResponsesMessagePart,
  ResponsesToolOutputPart,
} from "@aistudio-edge/shared";

/*
 * Where the files of a Responses request are: `input_image` and `input_file` parts of messages
 * and of tool outputs. One function says it for one item, so the list the Worker resolves
 * (`responsesAttachmentSources`) and the places the translation puts the resolved files
 * (`itemMedia` per item, translate-request.ts) cannot disagree on the order.
 */

function partMedia(
  part: ResponsesMessagePart | ResponsesToolOutputPart,
  path: string,
): AttachmentSource | null {
  if (part.type === "input_image")
    return {
      kind: "image",
      param: `${path}.image_url`,
      // The schema refused a part with neither a URL nor (refused) a file id.
      source: { type: "url", url: part.image_url ?? "" },
    };
  if (part.type !== "input_file") return null;
  // An empty name names nothing: the Worker makes one up from the type, as for a missing one.
  const filename =
    part.filename !== undefined && part.filename !== null && part.filename !== ""
      ? { filename: part.filename }
      : {};
  if (part.file_data !== undefined && part.file_data !== null)
    return {
      kind: "file",
      param: `${path}.file_data`,
      source: part.file_data.startsWith("data:")
        ? { type: "url", url: part.file_data }
        : // OpenAI's own examples send bare base64 here, with the type in the file name.
          { type: "base64", data: part.file_data, mimeType: "" },
      ...filename,
    };
  return {
    kind: "file",
    param: `${path}.file_url`,
    source: { type: "url", url: part.file_url ?? "" },
    ...filename,
  };
}

/** The files one input item carries, in order; `path` is the item's own (`input[2]`). */
export function itemMedia(item: ResponsesInputItem, path: string): AttachmentSource[] {
  let list: Array<ResponsesMessagePart | ResponsesToolOutputPart>;
  let field: string;
  switch (item.type) {
    case "message":
      [list, field] = [item.content, "content"];
      break;
    case "function_call_output":
    case "custom_tool_call_output":
      [list, field] = [item.output, "output"];
      break;
    default:
      return [];
  }
  return list.flatMap((part, k) => partMedia(part, `${path}.${field}[${k}]`) ?? []);
}

/** Every file of a request's input in order, with the request path a 400 names. */
export function responsesAttachmentSources(req: ResponsesCountRequest): AttachmentSource[] {
  return (req.input ?? []).flatMap((item, i) => itemMedia(item, `input[${i}]`));
}
