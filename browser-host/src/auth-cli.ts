import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import puppeteer, { type Browser } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium, loopbackOnlyArgs } from "./chromium.js";
import { AiStudioPage } from "./driver/aistudio-page.js";
import { AuthExpiredError } from "./driver/errors.js";
import { waitFor } from "./driver/wait.js";
import { createLogger } from "./log.js";
import { applyCookies, preparePage } from "./profile/apply-profile.js";
import { startBrowserProxy, type BrowserProxy } from "./profile/browser-proxy.js";
import {
  DEFAULT_EGRESS_CHECK_URL,
  compareEgress,
  measureEgress,
  type Egress,
} from "./profile/egress.js";
import { geoFor } from "./profile/geo.js";
import { normalizeProfileName } from "./profile/profile-name.js";
import { ProfileStore } from "./profile/profile-store.js";
import { saveLogin, showsSignedInChat } from "./profile/save-login.js";
import { StorageStateSchema, readJsonFile, type ProfileMeta } from "./profile/storage-state.js";

/*
 * `npm run auth -- <command>`: login, check, list, activate, import. Every command prints what
 * it did and where it wrote. The browser it opens uses the same proxy as the host (PROXY_URL),
 * so a login is made from the address the host will use.
 */

const USAGE = `Usage: npm run auth -- <command> [options]

Commands:
  login <name>      open a browser window through PROXY_URL, sign in to AI Studio, save the profile
  check <name>      load AI Studio headless with the profile: signed in, sign-in page, or region block;
                    and whether this egress matches the one recorded at login
  list              profiles with their age, egress country, and which one is active
  activate <name>   make a saved profile the one the host uses
  import <file>     copy a storage state made elsewhere (e.g. the Python tool's as_1.json)
                    [--name N] [--country CC --ip IP --timezone TZ --locale L | --measure]

Options (also from the environment): --dir AUTH_DIR (default auth_profiles), --proxy PROXY_URL,
  --aistudio-url AISTUDIO_URL, --egress-url EGRESS_CHECK_URL, --chrome CHROME_PATH, --headless,
  --timeout SECONDS (login: how long to wait for the sign-in, default 900)`;

export class UsageError extends Error {}

interface Options {
  dir: string;
  proxy: string | undefined;
  aistudio: string;
  egressUrl: string;
  chrome: string | undefined;
  headless: boolean;
  timeoutMs: number;
}

async function openBrowser(
  options: Options,
  headless: boolean,
  locale: string | null,
): Promise<{ browser: Browser; proxy: BrowserProxy | null }> {
  const proxy = options.proxy ? await startBrowserProxy(options.proxy) : null;
  const chromium = await findChromium(options.chrome);
  const args = [...CHROMIUM_ARGS, ...loopbackOnlyArgs([options.aistudio, options.egressUrl])];
  if (proxy) args.push(`--proxy-server=${proxy.server}`, "--proxy-bypass-list=<-loopback>");
  if (locale) args.push(`--lang=${locale}`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k)),
  ) as Record<string, string>;
  // DevTools over a pipe, not a port: no other local user can drive the browser during a login.
  const browser = await puppeteer.launch({
    executablePath: chromium.path,
    headless,
    args,
    env,
    pipe: true,
    defaultViewport: headless ? { width: 1280, height: 900 } : null,
  });
  // The local forwarder demands a credential only this browser is given.
  await proxy?.authorize(browser);
  return { browser, proxy };
}

async function egressOrNull(
  browser: Browser,
  url: string,
  print: (s: string) => void,
): Promise<Egress | null> {
  try {
    return await measureEgress(browser, url);
  } catch (err) {
    print(`Could not measure the egress (${(err as Error).message}).`);
    return null;
  }
}

async function login(name: string, options: Options, print: (s: string) => void): Promise<void> {
  const store = new ProfileStore(options.dir);
  const { browser, proxy } = await openBrowser(options, options.headless, null);
  try {
    const egress = await egressOrNull(browser, options.egressUrl, print);
    if (egress)
      print(
        `Egress through ${proxy ? proxy.display : "no proxy"}: ${egress.ip} (${egress.country ?? "country unknown"}).`,
      );
    if (await store.exists(name)) await applyCookies(browser, (await store.load(name)).state);
    const page = await browser.newPage();
    const origin = new URL(options.aistudio).origin;
    await page
      .goto(`${options.aistudio}/prompts/new_chat`, { waitUntil: "domcontentloaded" })
      .catch(() => undefined);
    if (!options.headless)
      print(
        "Sign in to Google in the browser window; this command saves the profile once AI Studio has loaded.",
      );
    const ui = new AiStudioPage(page, options.aistudio, options.timeoutMs, createLogger("error"));
    await waitFor(() => showsSignedInChat(ui, origin), {
      what: "AI Studio to load with a signed-in account",
      timeoutMs: options.timeoutMs,
      intervalMs: 500,
    });
    const { path, state, meta } = await saveLogin({
      store,
      name,
      cookies: browser,
      page,
      appOrigin: origin,
      egress,
      source: "login",
    });
    print(
      `Saved profile '${normalizeProfileName(name)}' to ${path} (${state.cookies.length} cookies; made from ${meta.country ?? "an unknown country"}${meta.egressIp ? `, ${meta.egressIp}` : ""}).`,
    );
    if (!(await store.activeName()))
      print(
        `It is the only profile: activate it with  npm run auth -- activate ${normalizeProfileName(name)}`,
      );
  } finally {
    await browser.close().catch(() => undefined);
    await proxy?.close();
  }
}

async function check(name: string, options: Options, print: (s: string) => void): Promise<boolean> {
  const store = new ProfileStore(options.dir);
  const { state, meta } = await store.load(name);
  const identity = geoFor(meta?.country ?? null, {
    timezone: meta?.timezone ?? null,
    locale: meta?.locale ?? null,
  });
  const { browser, proxy } = await openBrowser(options, true, identity?.locale ?? null);
  try {
    let good = true;
    const egress = await egressOrNull(browser, options.egressUrl, print);
    if (egress) {
      const verdict = compareEgress(meta, egress);
      if (verdict.ok) print(`Egress: ${egress.ip} (${egress.country ?? "?"}) — ${verdict.note}.`);
      else {
        print(`Egress MISMATCH: ${verdict.reason}`);
        good = false;
      }
    }
    await applyCookies(browser, state);
    const page = await browser.newPage();
    await preparePage(page, state, identity, new URL(options.aistudio).origin);
    const ui = new AiStudioPage(
      page,
      options.aistudio,
      Math.min(options.timeoutMs, 45_000),
      createLogger("error"),
    );
    try {
      const models = await ui.load(null);
      print(
        `Profile '${normalizeProfileName(name)}': signed in — AI Studio loaded with ${models.length} models.`,
      );
    } catch (err) {
      good = false;
      if (err instanceof AuthExpiredError) {
        const region = /region block/.test(err.message);
        print(
          `Profile '${normalizeProfileName(name)}': ${region ? "REGION BLOCKED" : "SIGN-IN REDIRECT"} — ${err.message}`,
        );
      } else
        print(
          `Profile '${normalizeProfileName(name)}': AI Studio did not load — ${(err as Error).message}`,
        );
    }
    return good;
  } finally {
    await browser.close().catch(() => undefined);
    await proxy?.close();
  }
}

async function list(options: Options, print: (s: string) => void): Promise<void> {
  const profiles = await new ProfileStore(options.dir).list();
  if (profiles.length === 0)
    return print(
      `No profiles in ${new ProfileStore(options.dir).root}. Make one: npm run auth -- login <name>`,
    );
  for (const p of profiles) {
    const days = Math.floor((Date.now() - p.modified.getTime()) / 86_400_000);
    const age = days === 0 ? "today" : `${days} day${days === 1 ? "" : "s"} ago`;
    print(
      `${p.active ? "*" : " "} ${p.name.padEnd(16)} saved ${age.padEnd(12)} egress ${p.meta?.country ?? "unknown"}${p.meta?.egressIp ? ` (${p.meta.egressIp})` : ""}  ${p.path}`,
    );
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

async function importFile(
  file: string,
  flags: Record<string, string | boolean | undefined>,
  options: Options,
  print: (s: string) => void,
): Promise<void> {
  const state = await readJsonFile(file, StorageStateSchema, "storage state (cookies + origins)");
  const name = normalizeProfileName(typeof flags.name === "string" ? flags.name : file);
  let egress: { ip: string | null; country: string | null; timezone: string | null } = {
    ip: typeof flags.ip === "string" ? flags.ip : null,
    country: typeof flags.country === "string" ? flags.country.toUpperCase() : null,
    timezone: typeof flags.timezone === "string" ? flags.timezone : null,
  };
  if (flags.measure === true) {
    const { browser, proxy } = await openBrowser(options, true, null);
    try {
      const measured = await measureEgress(browser, options.egressUrl);
      egress = { ip: measured.ip, country: measured.country, timezone: measured.timezone };
      print(
        `Measured the egress through ${proxy ? proxy.display : "no proxy"}: ${measured.ip} (${measured.country ?? "?"}).`,
      );
    } finally {
      await browser.close().catch(() => undefined);
      await proxy?.close();
    }
  } else if (egress.country === null && process.stdin.isTTY) {
    const answer = await ask(
      "Which country was this login made from (two letters, e.g. US)? Empty to measure it now through PROXY_URL: ",
    );
    if (answer === "") return importFile(file, { ...flags, measure: true }, options, print);
    egress.country = answer.toUpperCase();
  }
  const meta: ProfileMeta = {
    egressIp: egress.ip,
    country: egress.country,
    timezone: egress.timezone,
    locale: typeof flags.locale === "string" ? flags.locale : null,
    userAgent: null,
    created: new Date().toISOString(),
    source: "import",
  };
  const store = new ProfileStore(options.dir);
  const path = await store.save(name, state, meta);
  print(
    `Imported ${file} as profile '${name}': ${path} (${state.cookies.length} cookies, ${state.origins.length} origins; egress ${meta.country ?? "not recorded — the host cannot check it"}).`,
  );
}

export async function main(
  argv: string[],
  print: (s: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      proxy: { type: "string" },
      "aistudio-url": { type: "string" },
      "egress-url": { type: "string" },
      chrome: { type: "string" },
      headless: { type: "boolean", default: false },
      timeout: { type: "string" },
      name: { type: "string" },
      country: { type: "string" },
      ip: { type: "string" },
      timezone: { type: "string" },
      locale: { type: "string" },
      measure: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined) {
    print(USAGE);
    return 0;
  }
  const options: Options = {
    dir: values.dir ?? process.env.AUTH_DIR ?? "auth_profiles",
    proxy: values.proxy ?? (process.env.PROXY_URL || undefined),
    aistudio: (
      values["aistudio-url"] ??
      process.env.AISTUDIO_URL ??
      "https://aistudio.google.com"
    ).replace(/\/+$/, ""),
    egressUrl: values["egress-url"] ?? process.env.EGRESS_CHECK_URL ?? DEFAULT_EGRESS_CHECK_URL,
    chrome: values.chrome ?? (process.env.CHROME_PATH || undefined),
    headless: values.headless,
    timeoutMs: Number(values.timeout ?? 900) * 1000,
  };
  const need = (what: string) => {
    if (arg === undefined) throw new UsageError(`${command} needs ${what}.\n\n${USAGE}`);
    return arg;
  };
  switch (command) {
    case "login":
      await login(normalizeProfileName(need("a profile name")), options, print);
      return 0;
    case "check":
      return (await check(normalizeProfileName(need("a profile name")), options, print)) ? 0 : 1;
    case "list":
      await list(options, print);
      return 0;
    case "activate": {
      const path = await new ProfileStore(options.dir).activate(
        normalizeProfileName(need("a profile name")),
      );
      print(`Profile '${normalizeProfileName(arg!)}' is now active: ${path}`);
      return 0;
    }
    case "import":
      await importFile(need("a storage-state file"), values, options, print);
      return 0;
    default:
      throw new UsageError(`Unknown command '${command}'.\n\n${USAGE}`);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(err instanceof UsageError || err.name === "ProfileNameError" ? 2 : 1);
    },
  );
}
