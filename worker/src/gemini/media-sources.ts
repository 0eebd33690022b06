import type {
  AttachmentKind,
  AttachmentSource,
  GeminiContent,
  GeminiGenerateContentRequest,
  GeminiPart,
} from "@aistudio-edge/shared";

/*
 * Where the files of a Gemini request are: `inlineData` and `fileData` parts, and the files of
 * a multimodal `functionResponse`, in the system instruction and in every turn. One function
 * says it for one part, so the list the Worker resolves (`geminiAttachmentSources`) and the
 * places the translation puts the resolved files (`partMedia` per part, translate-request.ts)
 * cannot disagree on the order.
 */

type Blob = NonNullable<GeminiPart["inlineData"]>;
type FileData = NonNullable<GeminiPart["fileData"]>;

/** The part's kind, for the 400 a wrong type gets; what fits no kind is checked as a file. */
function kindOf(mimeType: string | null | undefined): AttachmentKind {
  const type = mimeType?.toLowerCase() ?? "";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  return "file";
}

/**
 * Standard padded base64. Google's JSON mapping of bytes also takes the URL-safe alphabet and
 * no padding (the Python SDK sends that), which the project's strict decoder would refuse.
 */
export function standardBase64(data: string): string {
  const standard = data.replace(/-/g, "+").replace(/_/g, "/");
  return standard.length % 4 === 0
    ? standard
    : standard.padEnd(Math.ceil(standard.length / 4) * 4, "=");
}

function blobSource(blob: Blob, param: string): AttachmentSource {
  return {
    kind: kindOf(blob.mimeType),
    param: `${param}.data`,
    source: { type: "base64", data: standardBase64(blob.data), mimeType: blob.mimeType },
    ...(blob.displayName ? { filename: blob.displayName } : {}),
  };
}

function fileSource(file: FileData, param: string): AttachmentSource {
  return {
    kind: kindOf(file.mimeType),
    param: `${param}.fileUri`,
    source: { type: "url", url: file.fileUri },
    ...(file.displayName ? { filename: file.displayName } : {}),
  };
}

/** The files one part carries, in order; `path` is the part's own. */
export function partMedia(part: GeminiPart, path: string): AttachmentSource[] {
  // An earlier answer's thoughts are not sent to the page again, files included.
  if (part.thought === true) return [];
  if (part.inlineData) return [blobSource(part.inlineData, `${path}.inlineData`)];
  if (part.fileData) return [fileSource(part.fileData, `${path}.fileData`)];
  return (part.functionResponse?.parts ?? []).flatMap((inner, k) => {
    const where = `${path}.functionResponse.parts[${k}]`;
    if (inner.inlineData) return [blobSource(inner.inlineData, `${where}.inlineData`)];
    if (inner.fileData) return [fileSource(inner.fileData, `${where}.fileData`)];
    return [];
  });
}

/** The system instruction's parts (a string one was made a text part by the schema). */
export function systemParts(
  req: Pick<GeminiGenerateContentRequest, "systemInstruction">,
): GeminiPart[] {
  return req.systemInstruction?.parts ?? [];
}

/** Every file of a request in the order the translation takes them, with the path a 400 names. */
export function geminiAttachmentSources(
  req: Pick<GeminiGenerateContentRequest, "systemInstruction"> & { contents: GeminiContent[] },
): AttachmentSource[] {
  return [
    ...systemParts(req).flatMap((part, j) => partMedia(part, `systemInstruction.parts[${j}]`)),
    ...req.contents.flatMap((content, i) =>
      content.parts.flatMap((part, j) => partMedia(part, `contents[${i}].parts[${j}]`)),
    ),
  ];
}
