/**
 * Command line of bin/temporal-dev-server, in the two forms the SDK's test environment uses:
 *   temporal-dev-server <port> [--enable-time-skipping] [--search-attribute NAME=TYPE ...]   (test server: time skipping on)
 *   temporal-dev-server server start-dev --port N --namespace NS --ip IP [...]         (dev server: real time)
 * `--db-filename FILE` (`-f FILE`) keeps the state in FILE, as the Temporal CLI's dev server does;
 * without it the state lives in memory. Flags that make no sense here (UI, log format, dynamic
 * config) are accepted and ignored.
 */
import { start } from './index';
import { parseSearchAttributeFlag } from './searchAttributes';

export interface CliOptions {
  port: number;
  host: string;
  timeSkipping: boolean;
  namespaces: string[];
  dbFilename?: string;
  /** `--search-attribute NAME=TYPE`, repeatable. */
  searchAttributes: Record<string, string>;
}

/** The custom search attributes Temporal's Java test server (which the `<port>` form stands in for) has from the start. */
const TEST_SERVER_SEARCH_ATTRIBUTES: Record<string, string> = {
  CustomKeywordField: 'Keyword',
  CustomStringField: 'Text',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDatetimeField: 'Datetime',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
};

const USAGE =
  'usage: temporal-dev-server <port> [--enable-time-skipping] [--db-filename FILE] [--search-attribute NAME=TYPE]...\n       temporal-dev-server server start-dev [--port N] [--namespace NS]... [--ip IP] [--db-filename FILE] [--search-attribute NAME=TYPE]...';

/** `--search-attribute NAME=TYPE` (`--search-attribute=NAME=TYPE` too). @throws Error naming what is wrong. */
function addSearchAttribute(options: CliOptions, flag: string | undefined): void {
  const [name, type] = parseSearchAttributeFlag(flag ?? '');
  options.searchAttributes[name] = type;
}

/** @throws Error with the usage text when the arguments are not one of the two forms. */
export function parseArgs(argv: string[]): CliOptions {
  if (argv[0] === 'server' && argv[1] === 'start-dev') {
    const options: CliOptions = { port: 7233, host: '127.0.0.1', timeSkipping: false, namespaces: [], searchAttributes: {} };
    for (let i = 2; i < argv.length; i++) {
      const [flag, inline] = argv[i].split(/=(.*)/s, 2);
      const value = () => inline ?? argv[++i];
      switch (flag) {
        case '--port':
        case '-p':
          options.port = Number(value());
          break;
        case '--namespace':
        case '-n':
          options.namespaces.push(value());
          break;
        case '--ip':
          options.host = value();
          break;
        case '--db-filename':
        case '-f':
          options.dbFilename = value();
          if (!options.dbFilename) throw new Error(`--db-filename needs a file name\n${USAGE}`);
          break;
        case '--enable-time-skipping':
          options.timeSkipping = true;
          break;
        case '--headless':
          break;
        case '--search-attribute':
          addSearchAttribute(options, value());
          break;
        default:
          // Other flags take a value unless the next word is itself a flag.
          if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith('-')) i++;
      }
    }
    if (!Number.isInteger(options.port) || options.port < 0) throw new Error(`bad --port\n${USAGE}`);
    return options;
  }
  const port = Number(argv[0]);
  if (argv.length === 0 || !Number.isInteger(port) || port < 0) throw new Error(USAGE);
  // The Java test server this form stands in for skips time by default; the flag is accepted for clarity.
  // Loopback only: the engine's port must not be a way in from the network.
  const options: CliOptions = { port, host: '127.0.0.1', timeSkipping: true, namespaces: [], searchAttributes: { ...TEST_SERVER_SEARCH_ATTRIBUTES } };
  for (let i = 1; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--db-filename' || flag === '-f') options.dbFilename = inline ?? argv[++i];
    if (flag === '--search-attribute') addSearchAttribute(options, inline ?? argv[++i]);
  }
  if (options.dbFilename === '') throw new Error(`--db-filename needs a file name\n${USAGE}`);
  return options;
}

export async function main(argv: string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  // Signal handlers go in before the listening line: whoever reads that line may signal at once.
  const starting = start(options);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`temporal-dev-server: ${signal}, stopping`);
    starting.then((server) => server.stop()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const server = await starting;
  const state = options.dbFilename ? `state in ${options.dbFilename}, ${server.recovered} running workflows recovered` : 'state in memory';
  console.log(
    `temporal-dev-server listening on ${server.address} (time skipping ${options.timeSkipping ? 'on' : 'off'}, namespaces: ${['default', ...options.namespaces].join(', ')}; ${state})`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
