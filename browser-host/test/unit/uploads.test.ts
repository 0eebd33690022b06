import { readFile, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { jobAttachments, plainJobRequest, type JobAttachment } from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { refusalOf, stageFiles, uploadName } from "../../src/driver/uploads.js";

/* The files of a job, as they are written for the page's file input, and the page's refusals read. */

function attachment(mimeType: string, filename: string, bytes: Uint8Array): JobAttachment {
  return {
    kind: mimeType.startsWith("image/") ? "image" : "file",
    mimeType,
    filename,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

describe("upload names", () => {
  it("keeps a name whose extension says the type, and adds one where it does not", () => {
    const one = new Uint8Array([1]);
    expect(uploadName(attachment("image/png", "cat.png", one))).toBe("cat.png");
    expect(uploadName(attachment("image/jpeg", "photo.JPEG", one))).toBe("photo.JPEG");
    expect(uploadName(attachment("image/png", "clipboard", one))).toBe("clipboard.png");
    expect(uploadName(attachment("application/pdf", "report.bin", one))).toBe("report.bin.pdf");
    // A type with no known extension keeps the client's name.
    expect(uploadName(attachment("application/x-thing", "a.thing", one))).toBe("a.thing");
  });
});

describe("staged files", () => {
  it("writes each file privately under its own directory, and removes them all", async () => {
    const a = new TextEncoder().encode("first");
    const b = new TextEncoder().encode("second");
    const attachments = [
      attachment("text/plain", "same.txt", a),
      attachment("text/plain", "same.txt", b),
    ];
    const staged = await stageFiles(attachments, [a, b]);
    try {
      expect(staged.files.map((f) => f.index)).toEqual([0, 1]);
      expect(staged.files[0]!.path).not.toBe(staged.files[1]!.path);
      expect(await readFile(staged.files[1]!.path, "utf8")).toBe("second");
      expect((await stat(staged.files[0]!.path)).mode & 0o777).toBe(0o600);
    } finally {
      await staged.remove();
    }
    await expect(stat(staged.files[0]!.path)).rejects.toThrow();
  });

  it("refuses a job whose files do not match its attachments", async () => {
    await expect(
      stageFiles([attachment("text/plain", "a.txt", new Uint8Array([1]))], []),
    ).rejects.toThrow(/1 attachments but 0 files/);
  });

  it("lists a job's attachments in conversation order", () => {
    const x = attachment("image/png", "x.png", new Uint8Array([1]));
    const y = attachment("image/png", "y.png", new Uint8Array([2]));
    const z = attachment("image/png", "z.png", new Uint8Array([3]));
    const request = plainJobRequest({
      model: "gemini-2.5-flash",
      messages: [
        { role: "user", content: "a", attachments: [x, y] },
        { role: "assistant", content: "b" },
        { role: "user", content: "c", attachments: [z] },
      ],
    });
    expect(jobAttachments(request).map((a) => a.filename)).toEqual(["x.png", "y.png", "z.png"]);
  });
});

describe("refusals", () => {
  it.each([
    ["Unsupported file type: a.exe", "type"],
    ["big.png is too large. The maximum file size is 2 MB.", "size"],
    ["You can upload up to 10 files.", "count"],
    ["Could not read a.png", "unreadable"],
  ] as const)("reads %j as %s", (text, reason) => {
    expect(refusalOf(text)).toBe(reason);
  });
});
