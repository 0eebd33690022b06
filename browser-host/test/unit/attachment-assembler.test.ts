import { createHash } from "node:crypto";
import { ATTACHMENT_CHUNK_BYTES, type JobAttachment } from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { AttachmentAssembler, AttachmentTransferError } from "../../src/attachment-assembler.js";
import { AbortedError } from "../../src/driver/errors.js";

/*
 * Reassembly of a job's files from its `job.attachment` pieces: whole and checked, or a clear
 * failure for every way a transfer can break.
 */

const MiB = 1024 * 1024;

function fileOf(size: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 13 + seed) & 0xff);
}

function describeFile(bytes: Uint8Array, filename = "f.bin"): JobAttachment {
  return {
    kind: "file",
    mimeType: "application/pdf",
    filename,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/** The pieces the pool sends for these files, in order. */
function piecesOf(files: Uint8Array[]) {
  return files.flatMap((file, index) => {
    const pieces = [];
    for (let offset = 0; offset < file.length; offset += ATTACHMENT_CHUNK_BYTES)
      pieces.push({
        index,
        offset,
        data: Buffer.from(file.subarray(offset, offset + ATTACHMENT_CHUNK_BYTES)).toString(
          "base64",
        ),
      });
    return pieces;
  });
}

function assemblerOf(files: Uint8Array[], options: { idleMs?: number; deadline?: number } = {}) {
  const controller = new AbortController();
  const assembler = new AttachmentAssembler(
    files.map((f) => describeFile(f)),
    {
      deadline: options.deadline ?? Date.now() + 60_000,
      idleMs: options.idleMs ?? 5_000,
      signal: controller.signal,
    },
  );
  return { assembler, controller };
}

describe("the attachment assembler", () => {
  it("puts a 3 MiB file (4 pieces) and a small one back together", async () => {
    const big = fileOf(3 * MiB + 100);
    const small = fileOf(10, 7);
    const { assembler } = assemblerOf([big, small]);
    const pieces = piecesOf([big, small]);
    expect(pieces).toHaveLength(5);
    for (const piece of pieces) expect(assembler.add(piece)).toBe(true);
    const files = await assembler.files;
    expect(Buffer.from(files[0]!).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from(files[1]!).equals(Buffer.from(small))).toBe(true);
  });

  it("resolves at once for a job without files", async () => {
    expect(await assemblerOf([]).assembler.files).toEqual([]);
  });

  it("fails on a corrupted piece: the SHA-256 does not match", async () => {
    const file = fileOf(2 * MiB + 1);
    const { assembler } = assemblerOf([file]);
    const pieces = piecesOf([file]);
    const bytes = Buffer.from(pieces[1]!.data, "base64");
    bytes[100] = bytes[100]! ^ 0xff;
    pieces[1] = { ...pieces[1]!, data: bytes.toString("base64") };
    for (const piece of pieces) assembler.add(piece);
    await expect(assembler.files).rejects.toThrow(/does not match its SHA-256/);
    await expect(assembler.files).rejects.toBeInstanceOf(AttachmentTransferError);
    await expect(assembler.files).rejects.toMatchObject({
      code: "upstream_error",
      retryable: true,
    });
  });

  it.each([
    ["out of order", (p: ReturnType<typeof piecesOf>) => [p[1]!, p[0]!, p[2]!]],
    ["overlapping", (p: ReturnType<typeof piecesOf>) => [p[0]!, p[0]!, p[1]!, p[2]!]],
    ["missing a piece", (p: ReturnType<typeof piecesOf>) => [p[0]!, p[2]!]],
  ])("fails on pieces %s", async (_what, reorder) => {
    const file = fileOf(2 * MiB + 5);
    const { assembler } = assemblerOf([file]);
    for (const piece of reorder(piecesOf([file]))) assembler.add(piece);
    await expect(assembler.files).rejects.toThrow(/where attachment 0 at \d+ was due/);
  });

  it("fails on a piece longer or shorter than due, and on one that is not base64", async () => {
    const file = fileOf(MiB + 10);
    const long = assemblerOf([file]);
    long.assembler.add({
      index: 0,
      offset: 0,
      data: Buffer.from(fileOf(MiB + 10)).toString("base64"),
    });
    await expect(long.assembler.files).rejects.toThrow(/has 1048586 bytes where 1048576 were due/);

    const short = assemblerOf([file]);
    short.assembler.add({ index: 0, offset: 0, data: Buffer.from(fileOf(10)).toString("base64") });
    await expect(short.assembler.files).rejects.toThrow(/has 10 bytes where 1048576 were due/);

    const garbled = assemblerOf([file]);
    garbled.assembler.add({ index: 0, offset: 0, data: "not base64!" });
    await expect(garbled.assembler.files).rejects.toThrow(/not base64/);
  });

  it("refuses a piece for an attachment the job does not have, before and after the files are complete", async () => {
    const file = fileOf(10);
    const early = assemblerOf([file]);
    early.assembler.add({ index: 1, offset: 0, data: "AAAA" });
    await expect(early.assembler.files).rejects.toThrow(/attachment 1 at 0/);

    const late = assemblerOf([file]);
    for (const piece of piecesOf([file])) late.assembler.add(piece);
    expect(late.assembler.add({ index: 1, offset: 0, data: "AAAA" })).toBe(false);
    expect((await late.assembler.files)[0]).toEqual(file);
  });

  it("gives up when the pieces stop coming, or the job's deadline passes", async () => {
    const file = fileOf(MiB + 1);
    const idle = assemblerOf([file], { idleMs: 50 });
    idle.assembler.add(piecesOf([file])[0]!);
    await expect(idle.assembler.files).rejects.toThrow(
      /no piece for 50 ms .* attachment 0 at 1048576/,
    );

    const late = assemblerOf([file], { deadline: Date.now() + 30 });
    await expect(late.assembler.files).rejects.toThrow(/deadline passed/);
  });

  it("ends the wait when the job is cancelled", async () => {
    const { assembler, controller } = assemblerOf([fileOf(10)]);
    controller.abort("client disconnected");
    await expect(assembler.files).rejects.toBeInstanceOf(AbortedError);
    await expect(assembler.files).rejects.toMatchObject({ code: "cancelled" });
  });

  it("refuses a job that declares more bytes than a job may carry, without allocating them", async () => {
    const controller = new AbortController();
    const assembler = new AttachmentAssembler([{ ...describeFile(fileOf(1)), bytes: 1024 * MiB }], {
      deadline: Date.now() + 1_000,
      idleMs: 1_000,
      signal: controller.signal,
    });
    await expect(assembler.files).rejects.toThrow(/more than a job may carry/);
  });
});
