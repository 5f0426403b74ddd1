/**
 * `npm run feed:follow -- --to FILE [--after SEQ] [--api URL] [--token TOKEN] [--limit N] [--wait S] [--until-idle]`:
 * the reference follower of the card-status feed. Appends each event to FILE as one JSON line and
 * keeps its position in FILE itself — the `seq` of the last whole line — so that after a stop or a
 * crash it asks from there: no event is missed and none written twice. A line cut short by a crash
 * is dropped at start. `--after SEQ` starts a new FILE after that event (a platform already synced to
 * it); a FILE holding events goes on from its own position. Defaults: the API and the platform token
 * that `npm start` wrote under DATA_DIR.
 */
import { appendFile, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';

interface Options {
  to: string;
  api: string;
  token: string;
  /** Where a FILE without events starts: after this seq (0, the beginning, by default). */
  after: number;
  limit: number;
  wait: number;
  untilIdle: boolean;
}

async function options(argv: string[]): Promise<Options> {
  const named = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--until-idle') named.set('until-idle', 'true');
    else if (argv[i].startsWith('--') && i + 1 < argv.length) named.set(argv[i].slice(2), argv[++i]);
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  const to = named.get('to');
  if (!to) throw new Error('usage: npm run feed:follow -- --to FILE [--after SEQ] [--api URL] [--token TOKEN] [--limit N] [--wait SECONDS] [--until-idle]');
  const after = Number(named.get('after') ?? 0);
  if (!Number.isSafeInteger(after) || after < 0) throw new Error(`--after takes an event's seq (a whole number, 0 or more); got ${named.get('after')}`);
  const dataDir = process.env.DATA_DIR ?? '.data';
  const readJson = async (file: string) => JSON.parse(await readFile(path.join(dataDir, file), 'utf8').catch(() => 'null'));
  const api = named.get('api') ?? process.env.FEED_API_URL ?? (await readJson('services.json'))?.apiUrl ?? 'http://127.0.0.1:3000';
  const token = named.get('token') ?? process.env.FEED_TOKEN ?? ((await readJson('demo-tokens.json')) as Array<{ role: string; token: string }> | null)?.find((entry) => entry.role === 'platform')?.token;
  if (!token) throw new Error('no token: pass --token, set FEED_TOKEN, or run `npm start` first (it writes a platform token to .data/demo-tokens.json)');
  return { to, api, token, after, limit: Number(named.get('limit') ?? 500), wait: Number(named.get('wait') ?? 20), untilIdle: named.has('until-idle') };
}

/** The seq of FILE's last whole line (0 for none); a partial last line is cut off. */
async function position(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return 0;
  }
  try {
    const { size } = await handle.stat();
    // Lines are short: the last 64 KiB hold the last whole one.
    const length = Math.min(size, 65_536);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    const end = tail.lastIndexOf(0x0a);
    if (end + 1 < length) await truncate(file, size - length + end + 1);
    if (end < 0) return 0;
    const start = tail.lastIndexOf(0x0a, end - 1) + 1;
    return (JSON.parse(tail.subarray(start, end).toString('utf8')) as { seq: number }).seq;
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  const opts = await options(process.argv.slice(2));
  let after = (await position(opts.to)) || opts.after;
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopping = true));
  let retryMs = 500;
  console.error(`following ${opts.api} from seq ${after} into ${opts.to}`);
  while (!stopping) {
    let page: { events: Array<{ seq: number }>; nextAfter: number };
    try {
      const response = await fetch(`${opts.api}/v1/card-status-events?after=${after}&limit=${opts.limit}&wait=${opts.wait}`, { headers: { authorization: `Bearer ${opts.token}` }, signal: AbortSignal.timeout((opts.wait + 30) * 1000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      page = (await response.json()) as typeof page;
      retryMs = 500;
    } catch (error) {
      console.error(`feed unavailable (${(error as Error).message}${(error as { cause?: { code?: string } }).cause?.code ? `: ${(error as { cause?: { code?: string } }).cause?.code}` : ""}); retrying in ${retryMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 30_000);
      continue;
    }
    if (page.events.length > 0) {
      // One write per page: the position moves with the lines, never apart from them.
      await appendFile(opts.to, page.events.map((event) => JSON.stringify(event) + '\n').join(''));
    }
    after = page.nextAfter;
    if (opts.untilIdle && page.events.length === 0) break;
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
