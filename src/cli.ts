#!/usr/bin/env node
// The command line: parses flags (Singer and Meltano conventions) and hands over to discovery,
// about, the connection test or a sync. Exit codes: 0 success, 1 runtime failure, 2 bad input.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { aboutInfo, aboutMarkdown, aboutText } from './commands/about.js';
import { discoverCatalogText } from './commands/discover.js';
import { loadConfig } from './config.js';
import { BadInput, EXIT_OK, EXIT_RUNTIME, RunFailure } from './errors.js';
import { debugDetail, describeError, exitCodeOf } from './failures.js';
import { parseTestMode } from './commands/test-mode.js';
import { plural } from './format.js';
import { Logger, logLevelProblems } from './singer/log.js';
import { Metrics } from './singer/metrics.js';
import { OutputClosedError, SingerWriter } from './singer/writer.js';
import { TAP_NAME, TAP_VERSION } from './version.js';

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

/**
 * Ends the process by the signal that stopped it, once cleaned up: the parent then sees "killed by
 * SIGTERM" (a shell prints 143), which is what `meltano config test` requires after it stops the
 * tap at the first RECORD (it accepts only a return code of -15).
 */
function exitBySignal(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

function parseArgs(argv: string[]) {
  return yargs(argv)
    .scriptName(TAP_NAME)
    // yargs would translate its own words by LANG ("Optionen:") around our English text; and the
    // bundle (scripts/build.mjs) does not carry its translation files.
    .locale('en')
    .usage('$0 --config CONFIG [--discover | --catalog CATALOG [--state STATE] | --test[=all|schema|connection] | --about [--format json|markdown]]')
    .option('config', { alias: 'c', type: 'string', array: true, requiresArg: true, describe: 'Settings file (JSON); repeat to merge, later wins; ENV reads TAP_AMPLITUDE_<SETTING> variables' })
    .option('discover', { alias: 'd', type: 'boolean', describe: 'Print the catalog (no network needed)' })
    .option('catalog', { type: 'string', requiresArg: true, describe: 'Catalog selecting streams and fields (output of --discover)' })
    .option('properties', { alias: 'p', type: 'string', requiresArg: true, describe: 'Legacy name for --catalog' })
    .option('state', { alias: 's', type: 'string', requiresArg: true, describe: 'State file (the value of the last STATE message)' })
    .option('about', { type: 'boolean', describe: 'Print name, version, capabilities and settings' })
    .option('format', { type: 'string', choices: ['json', 'markdown', 'text'], requiresArg: true, describe: 'Format of --about' })
    .option('test', {
      type: 'string',
      describe: 'Without a value or =all: sync at most one record per stream, no STATE; =schema: the SCHEMA messages only; =connection: check the credentials with one request',
    })
    .version(false) // before the option: yargs reserves "version" for its own
    .option('version', { type: 'boolean', describe: 'Print the version' })
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs breaks some messages over lines ("Invalid values:\n  Argument: ..."); a problem is one line.
      const problem = (msg ?? err?.message ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ');
      throw new BadInput([`${problem}; run ${TAP_NAME} --help for the flags`]);
    })
    .parseSync();
}

function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/**
 * Resolves once everything written so far is handed to the OS: on POSIX a pipe is written
 * asynchronously, and process.exit() drops what is still queued.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Flags that take no value; yargs reads `--discover=all` as false and would run a sync in silence. */
const SWITCHES = new Map([['--discover', 'discover'], ['-d', 'discover'], ['--about', 'about'], ['--version', 'version'], ['--help', 'help'], ['-h', 'help']]);

function checkSwitches(argv: string[]): void {
  for (const arg of argv) {
    const m = /^(-{1,2}[^=]+)=(.*)$/s.exec(arg);
    const name = m ? SWITCHES.get(m[1] as string) : undefined;
    if (m && name && !/^(true|false)$/i.test(m[2] as string)) {
      throw new BadInput([`--${name} takes no value (got ${JSON.stringify(arg)}); run ${TAP_NAME} --help for the flags`]);
    }
  }
}

async function main(log: Logger, controller: AbortController, writer: SingerWriter, metrics: Metrics): Promise<number> {
  const argv = hideBin(process.argv);
  checkSwitches(argv);
  const args = parseArgs(argv);
  if (args.help) return EXIT_OK;
  if (args.version) {
    await writeOut(`${TAP_NAME} v${TAP_VERSION}\n`);
    return EXIT_OK;
  }
  if (args.about) {
    const format = args.format ?? 'text';
    await writeOut(format === 'json' ? JSON.stringify(aboutInfo(), null, 2) + '\n' : format === 'markdown' ? aboutMarkdown() : aboutText());
    return EXIT_OK;
  }
  // yargs turns a repeated flag into a list; only --config may repeat.
  for (const name of ['catalog', 'properties', 'state', 'format', 'test'] as const) {
    if (Array.isArray(args[name])) throw new BadInput([`--${name} may be given only once`]);
  }
  if (args.catalog && args.properties && args.catalog !== args.properties) {
    throw new BadInput(['--catalog and --properties name the same input; pass only one of them']);
  }
  const sources = args.config ?? [];
  if (sources.length === 0) {
    throw new BadInput(['--config is required: pass a JSON settings file (see sample-config.json), or --config ENV to read TAP_AMPLITUDE_* variables']);
  }
  const testMode = args.test === undefined ? undefined : parseTestMode(args.test);
  const { config, warnings } = loadConfig(sources);
  warnings.forEach((w) => log.warn(w));
  const catalogPath = args.catalog ?? args.properties;

  if (args.discover) {
    // --state, if given, does not matter here; a catalog does, to a user who expects it to filter.
    if (catalogPath) log.warn(`--discover ignores --${args.catalog ? 'catalog' : 'properties'}: discovery always lists every stream; pass the catalog without --discover to sync it`);
    await writeOut(discoverCatalogText(config));
    return EXIT_OK;
  }
  if (testMode === 'connection') {
    // Loaded on demand: the HTTP stack is not needed for --discover, which Meltano runs before every sync.
    const { checkConnection } = await import('./commands/check.js');
    await writeOut((await checkConnection(config, log, controller.signal)) + '\n');
    return EXIT_OK;
  }
  const inputs = { config, ...(catalogPath ? { catalogPath } : {}), ...(args.state ? { statePath: args.state } : {}), log };
  if (testMode === 'schema') {
    const { writeSchemas } = await import('./commands/test.js');
    writeSchemas(inputs, writer);
    return EXIT_OK;
  }
  metrics.start();
  const { syncCommand } = await import('./commands/sync.js');
  if (testMode === 'all') {
    const { testStreams } = await import('./commands/test.js');
    return (await testStreams({ ...inputs, writer, metrics, signal: controller.signal })) ? EXIT_OK : EXIT_RUNTIME;
  }
  const { failures } = await syncCommand({ ...inputs, writer, metrics, signal: controller.signal });
  if (failures.length > 0) {
    log.critical(`${plural(failures.length, 'stream')} failed; the state written covers everything extracted. First failure: ${failures[0]}`);
    return EXIT_RUNTIME;
  }
  return EXIT_OK;
}

async function run(): Promise<void> {
  const log = new Logger();
  logLevelProblems().forEach((p) => log.warn(p));
  const controller = new AbortController();
  const writer = new SingerWriter(process.stdout);
  const metrics = new Metrics(log);
  let signalExit: number | undefined;
  let stoppedBy: NodeJS.Signals | undefined;
  let outputClosed: OutputClosedError | undefined;

  const stop = (signal: string): void => {
    if (signalExit !== undefined) return;
    signalExit = SIGNAL_EXIT[signal] ?? EXIT_RUNTIME;
    stoppedBy = signal as NodeJS.Signals;
    log.warn(`received ${signal}; stopping`);
    controller.abort(new RunFailure(`received ${signal}; stopping`));
    // A stuck request must not keep a stopped tap alive.
    setTimeout(() => exitBySignal(signal as NodeJS.Signals), 5000).unref();
  };
  // A reader of stderr that went away must not turn into a crash (and exit 1): the logs are lost either way.
  process.stderr.on('error', () => undefined);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  writer.onClosed = (err) => {
    outputClosed = err;
    controller.abort(err);
  };

  let code: number;
  try {
    code = await main(log, controller, writer, metrics);
  } catch (err) {
    if (err instanceof OutputClosedError) outputClosed ??= err;
    if (signalExit !== undefined) code = signalExit;
    else if (outputClosed) code = EXIT_RUNTIME; // told below
    else {
      if (err instanceof BadInput) err.problems.forEach((p) => log.critical(p));
      else log.critical(describeError(err));
      const stack = debugDetail(err);
      if (stack) log.debug(stack);
      code = exitCodeOf(err);
    }
  }
  // Output that never reached its reader is a failed run, even when main() got to its end (a cut catalog).
  if (outputClosed && signalExit === undefined) {
    if (outputClosed.brokenPipe) log.info('stdout was closed by its reader; stopping');
    else log.critical(outputClosed.message);
    code = EXIT_RUNTIME;
  }
  metrics.stop();
  await writer.flush();
  await drained(process.stderr);
  // Everything is handed to the OS: exit now rather than wait for idle keep-alive sockets.
  if (stoppedBy) exitBySignal(stoppedBy);
  else process.exit(code);
}

void run();
