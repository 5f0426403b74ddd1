import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The domain is imported by Temporal workflows: no Node built-ins, no packages, no clock, no
 * randomness, no I/O. This reads the sources, so a slip fails here rather than in the sandbox.
 */
const DOMAIN = path.join(__dirname, '..', '..', 'domain');
const sources = readdirSync(DOMAIN)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(path.join(DOMAIN, file), 'utf8') }));

describe('domain sources', () => {
  test('when any file imports, then it imports only sibling domain files', () => {
    for (const { file, text } of sources) {
      const specifiers = [...text.matchAll(/(?:\b(?:from|import)|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const specifier of specifiers) expect([file, specifier]).toEqual([file, expect.stringMatching(/^\.\/[a-zA-Z]+$/)]);
    }
  });

  test('when any file is read, then it never reads the clock, draws random numbers or touches process or globals', () => {
    for (const { file, text } of sources) {
      for (const banned of [/Date\.now\(/, /new Date\(\)/, /Math\.random\(/, /\bprocess\./, /\bsetTimeout\(/, /\bconsole\./, /\bglobalThis\b/]) {
        expect([file, banned.test(text)]).toEqual([file, false]);
      }
    }
  });
});
