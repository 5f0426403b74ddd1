import { namesMatch } from '../../domain';

describe('namesMatch', () => {
  test.each([
    ['王小明', '王小明', true],
    ['王 小明', '王小明', true],
    ['王小明\u3000', '王小明', true], // ideographic space
    ['阿依古丽·买买提', '阿依古丽•买买提', true],
    ['阿依古丽・买买提', '阿依古丽·买买提', true],
    ['王晓明', '王小明', false],
    ['王小', '王小明', false],
    ['', '', false],
    ['  ', '  ', false],
  ])('when %j is compared with %j, then they match: %s', (a, b, same) => {
    expect(namesMatch(a, b)).toBe(same);
  });

  test('when one is composed and the other decomposed Unicode, then they match', () => {
    expect(namesMatch('Zoe\u0301', 'Zo\u00e9')).toBe(true);
  });

  test('when given something that is not a string, then nothing matches', () => {
    expect(namesMatch(undefined as unknown as string, '王小明')).toBe(false);
  });
});
