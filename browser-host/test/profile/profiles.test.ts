import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main as auth } from "../../src/auth-cli.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { normalizeProfileName } from "../../src/profile/profile-name.js";
import { ProfileSession } from "../../src/profile/profile-session.js";
import { ProfileStore } from "../../src/profile/profile-store.js";
import { ProfileFileError, writeFileAtomic } from "../../src/profile/storage-state.js";

/** A storage state as the Python AIstudioProxyAPI writes it (Playwright's format). */
export const PYTHON_TOOL_STATE = {
  cookies: [
    {
      name: "SID",
      value: "g.a000abc",
      domain: ".google.com",
      path: "/",
      expires: 1829302611.123456,
      httpOnly: false,
      secure: false,
      sameSite: "Lax",
    },
    {
      name: "__Secure-1PSID",
      value: "g.a000def",
      domain: ".google.com",
      path: "/",
      expires: 1829302611.5,
      httpOnly: true,
      secure: true,
      sameSite: "None",
    },
    {
      name: "NID",
      value: "511=xyz",
      domain: ".google.com",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: true,
      sameSite: "None",
    },
  ],
  origins: [
    {
      origin: "https://aistudio.google.com",
      localStorage: [
        {
          name: "aiStudioUserPreference",
          value: '{"promptModel":"models/gemini-2.5-pro","autosaveEnabled":false}',
        },
      ],
    },
  ],
};

let dir: string;
let out: string[];
const print = (line: string) => out.push(line);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aistudio-edge-profiles-"));
  out = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("profile names", () => {
  it.each([
    ["2", "2"],
    ["2.json", "2"],
    ["as_2.json", "2"],
    ["auth_profiles/saved/as_work.json", "work"],
    ["home-pc_1", "home-pc_1"],
  ])("%s → %s", (input, name) => expect(normalizeProfileName(input)).toBe(name));

  it.each(["", "my profile", "ü", "a.b", "dir/"])("refuses %j, saying what is allowed", (input) => {
    expect(() => normalizeProfileName(input)).toThrow(/letters, digits, '_' or '-'/);
  });
});

describe("npm run auth -- import / list / activate", () => {
  it("imports the Python tool's as_1.json unchanged, with the egress it was made on", async () => {
    const file = join(dir, "as_1.json");
    writeFileSync(file, JSON.stringify(PYTHON_TOOL_STATE));
    expect(
      await auth(
        [
          "import",
          file,
          "--dir",
          dir,
          "--country",
          "us",
          "--ip",
          "203.0.113.7",
          "--timezone",
          "America/Chicago",
        ],
        print,
      ),
    ).toBe(0);
    expect(out.join("\n")).toContain(
      `Imported ${file} as profile '1': ${join(dir, "saved", "1.json")} (3 cookies, 1 origins; egress US)`,
    );
    const saved = JSON.parse(readFileSync(join(dir, "saved", "1.json"), "utf8"));
    expect(saved).toEqual(PYTHON_TOOL_STATE);
    expect(JSON.parse(readFileSync(join(dir, "saved", "1.meta.json"), "utf8"))).toMatchObject({
      country: "US",
      egressIp: "203.0.113.7",
      timezone: "America/Chicago",
      source: "import",
    });
  });

  it("refuses a file that is not a storage state, saying why", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ cookies: "nope" }));
    await expect(auth(["import", file, "--dir", dir, "--country", "US"], print)).rejects.toThrow(
      /is not a storage state.*cookies/,
    );
  });

  it("lists profiles with age, egress country and the active one; activate switches", async () => {
    const file = join(dir, "as_2.json");
    writeFileSync(file, JSON.stringify(PYTHON_TOOL_STATE));
    await auth(["import", file, "--dir", dir, "--country", "DE"], print);
    await auth(["import", file, "--dir", dir, "--name", "work", "--country", "US"], print);
    expect(await auth(["activate", "as_2.json", "--dir", dir], print)).toBe(0);
    expect(out.at(-1)).toBe(`Profile '2' is now active: ${join(dir, "active", "2.json")}`);
    out = [];
    await auth(["list", "--dir", dir], print);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\* 2 +saved today +egress DE/);
    expect(out[1]).toMatch(/^ {2}work +saved today +egress US/);
    await auth(["activate", "work", "--dir", dir], print);
    expect(readdirSync(join(dir, "active"))).toEqual(["work.json"]);
    expect(await new ProfileStore(dir).activeName()).toBe("work");
  });
});

describe("a profile's sidecar (.meta.json)", () => {
  const importProfile = async () => {
    const file = join(dir, "as_3.json");
    writeFileSync(file, JSON.stringify(PYTHON_TOOL_STATE));
    await auth(["import", file, "--dir", dir, "--country", "DE"], print);
    return join(dir, "saved", "3.meta.json");
  };
  const session = () =>
    new ProfileSession(
      loadConfig({ POOL_URL: "ws://127.0.0.1:1", HOST_TOKEN: "t", AUTH_DIR: dir, PROFILE: "3" }),
      createLogger("error"),
    );

  it("may be missing: the profile then has no recorded egress", async () => {
    rmSync(await importProfile());
    expect((await new ProfileStore(dir).load("3")).meta).toBeNull();
    await expect(session().open()).resolves.toBeUndefined();
  });

  it.each([
    ["not JSON", '{"country": "DE"', /3\.meta\.json is not JSON, so it is not a profile sidecar/],
    [
      "not a sidecar",
      JSON.stringify({ country: 7 }),
      /3\.meta\.json is not a profile sidecar: egressIp/,
    ],
  ])(
    "that is %s is an error naming the file, not a profile without one (the egress check would be skipped)",
    async (_, content, message) => {
      const meta = await importProfile();
      writeFileSync(meta, content);
      await expect(new ProfileStore(dir).load("3")).rejects.toThrow(message);
      const error = await session()
        .open()
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(error).toBeInstanceOf(ProfileFileError);
      expect((error as ProfileFileError).message).toMatch(message);
      expect((error as ProfileFileError).path).toBe(meta);
      expect((error as ProfileFileError).cause).toBeDefined();
    },
  );
});

describe("atomic writes", () => {
  it("never lets a reader see half a file, and leaves no temporary files", async () => {
    const path = join(dir, "saved", "big.json");
    const big = (n: number) =>
      JSON.stringify({
        n,
        cookies: Array.from({ length: 5000 }, (_, i) => ({ name: `c${i}`, value: "x".repeat(50) })),
      });
    await writeFileAtomic(path, big(0));
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, "utf8");
        expect(() => JSON.parse(text)).not.toThrow();
        reads += 1;
      }
    })();
    for (let n = 1; n <= 30; n++) await writeFileAtomic(path, big(n));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path, "utf8")).n).toBe(30);
    expect(readdirSync(join(dir, "saved"))).toEqual(["big.json"]);
  });

  it("keeps the old content when a write fails", async () => {
    const path = join(dir, "keep.json");
    await writeFileAtomic(path, '{"ok":true}');
    // A target that is a directory cannot be replaced by rename: the write fails after the temp file.
    await expect(writeFileAtomic(join(dir), "{}")).rejects.toThrow();
    expect(readFileSync(path, "utf8")).toBe('{"ok":true}');
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
