import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import type { Language } from './problemText';
import { Problem, problems } from './problems';
import { parse } from './validation';

/*
 * What the bulk imports (old loss reports, applications in flight at go-live) share: NDJSON read
 * line by line within limits, each line parsed or refused alike, and the answer's headers, stops
 * and summary line.
 */

export const MAX_LINE_BYTES = 16 * 1024;

/** How much one import may hold. */
export interface ImportLimits {
  maxBytes: number;
  maxLines: number;
}

/** The import went past a limit: the lines before it are answered, then this, and nothing more is read. */
export class LimitExceeded extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export const importTooLarge = (maxBytes: number) =>
  new Problem(413, 'import_too_large', 'Import too large', `An import may hold at most ${maxBytes} bytes: split the file and send the rest separately.`, { maxBytes });
export const importTooManyLines = (maxLines: number) =>
  new Problem(413, 'import_too_many_lines', 'Import too large', `An import may hold at most ${maxLines} lines: split the file and send the rest separately.`, { maxLines });
/** A line longer than `MAX_LINE_BYTES`: refused without being read. */
export const lineTooLong = () => new Problem(400, 'line_too_long', 'The request is not valid', `A line may be at most ${MAX_LINE_BYTES} bytes.`, { maxLineBytes: MAX_LINE_BYTES });
export const malformedLine = () => problems.badRequest('malformed_json', 'The line is not valid JSON.');
/** The import stopped on our side (the stream's last line): what was answered is recorded. */
export const importStopped = (detail: string) => new Problem(500, 'internal_error', 'Internal error', detail);

/** The import's language: the caller's `Accept-Language`, as for every problem; it is the answer's `Content-Language`. */
export const importHeaders = (language: Language) => ({ 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'content-language': language, vary: 'Accept-Language' });


/**
 * Non-empty lines of an NDJSON stream, numbered from 1; over-long lines are reported, not buffered.
 * Leaving early leaves the body open (the answer still goes out on its connection).
 * @throws LimitExceeded once more than `maxBytes` arrived.
 */
export async function* linesOf(body: IncomingMessage, maxBytes: number): AsyncGenerator<{ line: number; text: string | undefined }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let overlong = false;
  let line = 0;
  let bytes = 0;
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new LimitExceeded(importTooLarge(maxBytes));
    const parts = (pending + decoder.write(chunk)).split('\n');
    pending = parts.pop()!;
    for (const part of parts) {
      line++;
      if (overlong) {
        overlong = false;
        yield { line, text: undefined };
      } else if (part.trim()) yield { line, text: part };
    }
    if (Buffer.byteLength(pending) > MAX_LINE_BYTES) {
      overlong = true;
      pending = '';
    }
  }
  pending += decoder.end();
  if (overlong || pending.trim()) yield { line: line + 1, text: overlong ? undefined : pending };
}


/** The import's last line: its counts. */
export const summaryLine = (counts: string[]) => ({ type: 'object', required: ['summary'], properties: { summary: { type: 'object', properties: Object.fromEntries(counts.map((name) => [name, { type: 'integer' }])) } } });
export const IN_LANGUAGE = "in the caller's language (Accept-Language: zh-CN, the default, or en), as a problem's detail";

/**
 * One line's request, parsed with `schema`, or the problem that refuses the line: `line_too_long`
 * (an over-long line, `text` undefined), `malformed_json`, or the schema's own (`validation_failed`,
 * `invalid_id_number`…).
 */
export function parseLine<S extends z.ZodType>(schema: S, text: string | undefined): { request: z.output<S> } | { refusal: Problem } {
  if (text === undefined) return { refusal: lineTooLong() };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { refusal: malformedLine() };
  }
  try {
    return { request: parse(schema, json) };
  } catch (error) {
    if (error instanceof Problem) return { refusal: error };
    throw error;
  }
}
