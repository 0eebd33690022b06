import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../src/base64.js";
import { scrubReason } from "../src/attachments/attachment-errors.js";
import { parseDataUrl } from "../src/attachments/data-url.js";
import { attachmentName, plainName } from "../src/attachments/filename.js";
import { normalizeMime } from "../src/attachments/media-types.js";
import { privateHostReason } from "../src/attachments/private-address.js";

/* The pure parts of attachment resolution, one behaviour each. */

const hostOf = (url: string) => new URL(url).hostname;

describe("private hosts", () => {
  it.each([
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/",
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0.0.0.0/",
    "http://10.0.0.8/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://169.254.169.254/",
    "http://100.64.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fd12:3456::1]/",
  ])("refuses %s", (url) => {
    expect(privateHostReason(hostOf(url))).not.toBeNull();
  });

  it.each([
    "https://example.com/",
    "http://8.8.8.8/",
    "http://172.32.0.1/",
    "http://192.169.0.1/",
    "http://[2001:db8::1]/",
    "http://[::ffff:8.8.8.8]/",
    "https://localhost.example.com/",
  ])("allows %s", (url) => {
    expect(privateHostReason(hostOf(url))).toBeNull();
  });
});

describe("data: URLs", () => {
  it("decodes base64 strictly and percent-escapes byte by byte", () => {
    const png = parseDataUrl("data:image/png;base64,iVBORw==");
    expect(png).toEqual({
      ok: true,
      declaredType: "image/png",
      bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]),
    });
    expect(parseDataUrl("data:text/plain;charset=utf-8,a%FFb%20")).toEqual({
      ok: true,
      declaredType: "text/plain;charset=utf-8",
      bytes: Uint8Array.from([0x61, 0xff, 0x62, 0x20]),
    });
    expect(parseDataUrl("DATA:;BASE64,AAAA")).toMatchObject({ ok: true, declaredType: "" });
  });

  it.each([
    ["data:image/png;base64,iVBORw", "not valid base64"],
    ["data:image/png;base64,iVBO Rw==", "not valid base64"],
    ["data:image/png;base64,iV=BORw=", "not valid base64"],
    ["data:image/png;base64", "needs a ','"],
    ["data:text/plain,100%", "'%'"],
  ])("refuses %s", (url, why) => {
    const parsed = parseDataUrl(url);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.why).toContain(why);
  });

  it("round-trips base64 of every byte value", () => {
    const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => i & 0xff);
    expect(decodeBase64(encodeBase64(all))).toEqual(all);
  });
});

describe("types and names", () => {
  it("strips parameters and treats octet-stream as no type", () => {
    expect(normalizeMime("Image/PNG; charset=binary")).toBe("image/png");
    expect(normalizeMime("image/jpg")).toBe("image/jpeg");
    expect(normalizeMime("application/octet-stream")).toBeNull();
    expect(normalizeMime("")).toBeNull();
    expect(normalizeMime("not a type")).toBeNull();
  });

  it("makes names plain: no directories, no control characters, never . or ..", () => {
    expect(plainName("../../etc/passwd")).toBe("passwd");
    expect(plainName("C:\\Users\\me\\photo.heic")).toBe("photo.heic");
    expect(plainName("a\u0000b?.png")).toBe("a_b_.png");
    expect(plainName("..")).toBeNull();
    expect(plainName(".hidden")).toBe("hidden");
    expect(plainName(`${"x".repeat(300)}.pdf`)).toMatch(/^x{251}\.pdf$/);
  });

  it("names an attachment from the part, else the URL, else its number and type", () => {
    expect(attachmentName(1, "image/png", "mine.png", new URL("https://x.test/a.png"))).toBe(
      "mine.png",
    );
    expect(attachmentName(1, "image/png", undefined, new URL("https://x.test/p/cat%20pic"))).toBe(
      "cat pic.png",
    );
    expect(attachmentName(3, "audio/mpeg", undefined, new URL("https://x.test/"))).toBe(
      "attachment-3.mp3",
    );
    expect(attachmentName(2, "application/x-unknown", undefined, null)).toBe("attachment-2.bin");
  });

  it("keeps user info and query strings out of error text", () => {
    const text = scrubReason("connect failed for https://u:pw@h.test/a/b.png?sig=SECRET#frag now");
    expect(text).toBe("connect failed for https://h.test/a/b.png now");
  });
});
