import { ConfigError } from "./config.js";
import { createLogger } from "./log.js";
import { SetupError, selfCheck } from "./self-check/check.js";
import { USAGE, UsageError, loadSelfCheckConfig, parseOptions } from "./self-check/options.js";
import { EXIT } from "./self-check/report.js";
import { renderReport } from "./self-check/report-text.js";

/*
 * `npm run self-check -- [--run] [--json] [--out DIR] [--dotenv FILE]`: does AI Studio's page
 * still have what the driver needs? With the host's own settings; see self-check/check.ts.
 * Exit 0 all found, 1 something the driver needs is missing (or --run failed), 2 usage or
 * settings, 3 signed out.
 */

const ORDER = { debug: 10, info: 20, warn: 30, error: 40 } as const;

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const { config, logLevel } = loadSelfCheckConfig(process.env, options.envFile);
  // Everything goes to the bundle's log; stderr gets LOG_LEVEL and above, beside the table.
  const lines: string[] = [];
  const log = createLogger("debug", {}, (l) => {
    lines.push(l);
    const level = (JSON.parse(l) as { level: keyof typeof ORDER }).level;
    if (ORDER[level] >= ORDER[logLevel]) process.stderr.write(`${l}\n`);
  });
  const report = await selfCheck(config, options, log, lines);
  const text = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report);
  // Exit only once the report is out: a piped stdout may still be writing.
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = [UsageError, ConfigError, SetupError].some((c) => err instanceof c);
    console.error(usage ? (err as Error).message : (err as Error).stack);
    process.exit(usage ? EXIT.usage : EXIT.failed);
  },
);
