import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  SelectorFileError,
  loadSelectorOverrides,
  withOverrides,
} from "../../src/driver/selector-overrides.js";
import { SELECTORS } from "../../src/driver/selectors.js";
import { loadConfig } from "../../src/config.js";
import { BrowserHost } from "../../src/host.js";
import { createLogger } from "../../src/log.js";

/* SELECTORS_FILE: validated at start, its candidates tried first, and a bad file named loudly. */

const dir = mkdtempSync(join(tmpdir(), "aistudio-edge-selectors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: unknown) => {
  const path = join(dir, `s${n++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

describe("selector overrides", () => {
  it("puts the file's candidates ahead of the built-in ones, marked as overrides", () => {
    const overrides = loadSelectorOverrides(
      file({
        version: 1,
        candidates: { temperature: ['ms-slider input[inputmode="decimal"]', "#temp"] },
      }),
    );
    const catalog = withOverrides(overrides);
    const css = catalog.temperature.candidates.map((c) => c.css);
    expect(css.slice(0, 2)).toEqual(['ms-slider input[inputmode="decimal"]', "#temp"]);
    expect(css.slice(2)).toEqual(SELECTORS.temperature.candidates.map((c) => c.css));
    expect(catalog.temperature.candidates[0]).toMatchObject({ source: "override" });
    // Concepts the file does not name are untouched.
    expect(catalog.topP).toBe(SELECTORS.topP);
  });

  it("lets commas stand inside attribute values and :is(), but refuses a joined list", () => {
    expect(() =>
      loadSelectorOverrides(
        file({
          version: 1,
          candidates: { runButton: ['button[aria-label="Run, now"]', ":is(a, b) > c"] },
        }),
      ),
    ).not.toThrow();
    expect(() =>
      loadSelectorOverrides(
        file({ version: 1, candidates: { runButton: ["button.run, button.go"] } }),
      ),
    ).toThrow(/candidates\.runButton\.0: .*comma-joined/);
  });

  it.each([
    [
      "an unknown concept",
      { version: 1, candidates: { temprature: ["x"] } },
      /temprature[\s\S]*Concepts: .*temperature/,
    ],
    [
      "an empty selector",
      { version: 1, candidates: { temperature: [" "] } },
      /candidates\.temperature\.0: must not be empty/,
    ],
    ["a missing version", { candidates: {} }, /version/],
    ["a stray key", { version: 1, candidates: {}, extra: true }, /extra|Unrecognized/i],
  ])("refuses %s, naming the file and the key", (_what, content, message) => {
    const path = file(content);
    const err = (() => {
      try {
        loadSelectorOverrides(path);
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(SelectorFileError);
    expect(err!.message).toContain(path);
    expect(err!.message).toMatch(message);
  });

  it("stops the host at start, before any browser, when the file is bad", async () => {
    const config = loadConfig({
      POOL_URL: "ws://127.0.0.1:9/hosts/connect",
      HOST_TOKEN: "t",
      SELECTORS_FILE: file({ version: 1, candidates: { nope: ["x"] } }),
    });
    const host = new BrowserHost(config, createLogger("error"));
    await expect(host.start()).rejects.toBeInstanceOf(SelectorFileError);
    await host.stop();
  });

  it("says so when the file is missing or not JSON", () => {
    expect(() => loadSelectorOverrides(join(dir, "nope.json"))).toThrow(/does not exist/);
    expect(() => loadSelectorOverrides(file("{ not json"))).toThrow(/is not JSON/);
  });
});
