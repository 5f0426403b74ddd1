import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { problemTexts } from '../../console/src/i18n';
import { REFUSAL_CODES } from '../../domain/eligibility';
import { DUPLICATE_APPLICATION, rejection, RESUMPTION_OUTDATED } from '../../workflows/contract';

/**
 * Every problem code the API can answer with has a Chinese and an English text in the console, so a
 * person at a counter never reads a bare code or an English detail. The codes are gathered where the
 * API makes them: the problem factories' literal codes in `api/`, the workflow's update rejections
 * (and the deadline rule's extension refusals they pass on), acceptance's refusals, the loss-report rule's, and the one field
 * code the validation promotes to a problem of its own.
 */
const root = path.resolve(__dirname, '../..');
const sourcesUnder = (folder: string): string[] =>
  readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(root, folder, file), 'utf8'));
const matches = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1]);

function apiProblemCodes(): string[] {
  const api = sourcesUnder('api').join('\n');
  const fromFactories = matches(api, /problems\.(?:badRequest|conflict|refused)\(\s*'([a-z_]+)'/g);
  const fromConstructor = matches(api, /new Problem\(\s*\d{3},\s*'([a-z_]+)'/g);
  const extensionRefusals = matches(readFileSync(path.join(root, 'domain/deadlines.ts'), 'utf8').match(/type ExtensionRefusalCode =[^;]+;/)![0], /'([a-z_]+)'/g);
  const lossReportRefusals = matches(readFileSync(path.join(root, 'domain/lossReports.ts'), 'utf8').match(/type LossReportRefusalCode =[^;]+;/)![0], /'([a-z_]+)'/g);
  const promotedFieldCodes = matches(readFileSync(path.join(root, 'api/validation.ts'), 'utf8'), /only === '([a-z_]+)'/g);
  return [...new Set([...fromFactories, ...fromConstructor, ...Object.values(rejection), ...extensionRefusals, ...lossReportRefusals, ...REFUSAL_CODES, DUPLICATE_APPLICATION, RESUMPTION_OUTDATED, ...promotedFieldCodes])].sort();
}

describe('the console’s problem texts', () => {
  test('when the API’s problem codes are gathered, then each has a Chinese and an English text in the console', () => {
    const codes = apiProblemCodes();
    // The gathering itself works: codes of each source are there.
    expect(codes).toEqual(expect.arrayContaining(['validation_failed', 'wrong_stage', 'extension_already_granted', 'extension_invalid_days', 'station_not_allowed', 'invalid_id_number', 'already_blacklisted', 'workflow_pending', 'reported_before_valid_from']));
    const texts = problemTexts();
    expect(codes.filter((code) => !texts[code])).toEqual([]);
    for (const code of codes) {
      const [zh, en] = texts[code];
      expect({ code, zh: /[\u4e00-\u9fff]/.test(zh), en: /^[A-Z][\x20-\x7e’]+$/.test(en) }).toEqual({ code, zh: true, en: true });
    }
  });
});
