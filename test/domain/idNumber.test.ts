import fc from 'fast-check';
import { checkCharacter, isValidIdNumber, makeIdNumber, maskIdNumber, maskName, parseIdNumber } from '../../domain';
import { calendarDate, regionCodeInKnownProvince, sequence } from './arbitraries';

/** ISO 7064 MOD 11-2 written from the standard's formula, to check the table-driven one against. */
function referenceCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const value = (12 - (sum % 11)) % 11;
  return value === 10 ? 'X' : String(value);
}

const STANDARD_EXAMPLE = '11010519491231002X'; // GB 11643-1999's own example
const CHARACTERS = '0123456789X';

describe('checkCharacter', () => {
  test('when given the standard example, then the check character is X', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
  });

  test('when given the well-known example 44052418800101001, then the check character is 4', () => {
    expect(checkCharacter('44052418800101001')).toBe('4');
  });

  test('when given anything but 17 digits, then it throws RangeError', () => {
    for (const bad of ['', '1101051949123100', '110105194912310021', '1101051949123100X', '１１０１０５１９４９１２３１００２']) {
      expect(() => checkCharacter(bad)).toThrow(RangeError);
    }
  });

  test('when given any 17 digits, then it agrees with the formula of ISO 7064 MOD 11-2', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        expect(checkCharacter(first17)).toBe(referenceCheckCharacter(first17));
      }),
    );
  });

  test('when the check character is appended, then the weighted sum including it is 1 mod 11', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        const all = first17 + checkCharacter(first17);
        let sum = 0;
        for (let i = 0; i < 18; i++) sum += (all[i] === 'X' ? 10 : Number(all[i])) * (2 ** (17 - i) % 11);
        expect(sum % 11).toBe(1);
      }),
    );
  });
});

describe('parseIdNumber', () => {
  test('when given the standard example, then it splits into region, birth date, sequence, sex and check character', () => {
    expect(parseIdNumber(STANDARD_EXAMPLE)).toEqual({
      ok: true,
      value: { idNumber: STANDARD_EXAMPLE, regionCode: '110105', birthDate: '1949-12-31', sequence: 2, sex: 'female', checkCharacter: 'X' },
    });
  });

  test('when the sequence is odd, then the holder is male', () => {
    const parsed = parseIdNumber('440305199002281231');
    expect(parsed.ok && parsed.value).toMatchObject({ regionCode: '440305', birthDate: '1990-02-28', sequence: 123, sex: 'male', checkCharacter: '1' });
  });

  test('when born on 29 February of a leap year, then the number is valid', () => {
    expect(parseIdNumber('310115200002290021').ok).toBe(true);
  });

  test('when the check character is a lower-case x, then it is accepted and normalised to X', () => {
    const parsed = parseIdNumber('11010519491231002x');
    expect(parsed.ok && parsed.value.idNumber).toBe(STANDARD_EXAMPLE);
    expect(parsed.ok && parsed.value.checkCharacter).toBe('X');
  });

  test.each([
    ['', 'must be 18 characters'],
    ['11010519491231002', 'must be 18 characters'],
    ['11010519491231002XX', 'must be 18 characters'],
    [' 11010519491231002X', 'must be 18 characters'],
    ['11010519491231002X ', 'must be 18 characters'],
    ['11010519491231002-', 'must be 17 digits followed by a digit or X'],
    ['1101051949123100X2', 'must be 17 digits followed by a digit or X'],
    ['11010519491231002Y', 'must be 17 digits followed by a digit or X'],
    ['１１０１０５１９４９１２３１００２Ｘ', 'must be 17 digits followed by a digit or X'],
    ['11010519491231 02X', 'must be 17 digits followed by a digit or X'],
    ['99010519491231002X', 'unknown province code'],
    ['00000019491231002X', 'unknown province code'],
    ['71000019491231002X', 'unknown province code'], // Taiwan's code is not issued on mainland cards
    [makeIdNumber({ regionCode: '110105', birthDate: '1990-01-01', sequence: 1 }).replace('19900101', '19900230'), 'impossible birth date'],
    [makeIdNumber({ regionCode: '110105', birthDate: '1990-01-01', sequence: 1 }).replace('19900101', '19901301'), 'impossible birth date'],
    [makeIdNumber({ regionCode: '110105', birthDate: '1990-01-01', sequence: 1 }).replace('19900101', '19900100'), 'impossible birth date'],
    [makeIdNumber({ regionCode: '110105', birthDate: '1990-01-01', sequence: 1 }).replace('19900101', '19010229'), 'impossible birth date'],
    ['440524188001010014', 'birth date before 1900'],
    ['110105194912310020', 'wrong check character'],
    ['110105194912310021', 'wrong check character'],
  ])('when given %j, then it is refused: %s', (input, reason) => {
    expect(parseIdNumber(input)).toEqual({ ok: false, code: 'invalid_id_number', reason });
  });

  test('when given something that is not a string, then it is refused without throwing', () => {
    for (const input of [undefined, null, 11010519491231, {}, ['11010519491231002X']]) {
      expect(parseIdNumber(input as unknown as string)).toMatchObject({ ok: false, code: 'invalid_id_number' });
    }
  });

  test('when today is given and the birth date is after it, then the number is refused', () => {
    const born = makeIdNumber({ regionCode: '440305', birthDate: '2026-03-02', sequence: 8 });
    expect(parseIdNumber(born, '2026-03-01')).toEqual({ ok: false, code: 'invalid_id_number', reason: 'birth date in the future' });
    expect(parseIdNumber(born, '2026-03-02').ok).toBe(true);
    expect(parseIdNumber(born).ok).toBe(true);
  });

  test('when today is not a real date, then it throws RangeError', () => {
    expect(() => parseIdNumber(STANDARD_EXAMPLE, '2026-02-30')).toThrow(RangeError);
  });

  test('when any number is made from parts, then parsing gives the same parts back', () => {
    fc.assert(
      fc.property(regionCodeInKnownProvince, calendarDate(1900, 2099), sequence, (regionCode, birthDate, seq) => {
        const idNumber = makeIdNumber({ regionCode, birthDate, sequence: seq });
        const parsed = parseIdNumber(idNumber);
        expect(parsed).toEqual({
          ok: true,
          value: { idNumber, regionCode, birthDate, sequence: seq, sex: seq % 2 === 1 ? 'male' : 'female', checkCharacter: idNumber[17] },
        });
      }),
    );
  });

  test('when any single character of a valid number is changed, then it is refused', () => {
    fc.assert(
      fc.property(
        regionCodeInKnownProvince,
        calendarDate(),
        sequence,
        fc.integer({ min: 0, max: 17 }),
        fc.oneof(fc.constantFrom(...CHARACTERS), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
        (regionCode, birthDate, seq, position, replacement) => {
          const valid = makeIdNumber({ regionCode, birthDate, sequence: seq });
          fc.pre(replacement.toUpperCase() !== valid[position]);
          const changed = valid.slice(0, position) + replacement + valid.slice(position + 1);
          expect(parseIdNumber(changed).ok).toBe(false);
        },
      ),
    );
  });

  test('when two adjacent different characters of a valid number are swapped, then it is refused', () => {
    fc.assert(
      fc.property(regionCodeInKnownProvince, calendarDate(), sequence, fc.integer({ min: 0, max: 16 }), (regionCode, birthDate, seq, position) => {
        const valid = makeIdNumber({ regionCode, birthDate, sequence: seq });
        fc.pre(valid[position] !== valid[position + 1]);
        const swapped = valid.slice(0, position) + valid[position + 1] + valid[position] + valid.slice(position + 2);
        expect(parseIdNumber(swapped).ok).toBe(false);
      }),
    );
  });

  test('when given arbitrary text, then it never throws and accepts only 18 characters with a correct check character', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^\d{17}[\dXx]$/)), (input) => {
        const parsed = parseIdNumber(input);
        if (parsed.ok) {
          expect(input.toUpperCase()).toBe(parsed.value.idNumber);
          expect(checkCharacter(parsed.value.idNumber.slice(0, 17))).toBe(parsed.value.idNumber[17]);
        }
      }),
    );
  });
});

describe('isValidIdNumber', () => {
  test('when the number parses, then it is valid, and otherwise not', () => {
    expect(isValidIdNumber(STANDARD_EXAMPLE)).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber(makeIdNumber({ regionCode: '440305', birthDate: '2030-01-01', sequence: 1 }), '2026-01-01')).toBe(false);
  });
});

describe('makeIdNumber', () => {
  test('when given the parts of the standard example, then it makes the standard example', () => {
    expect(makeIdNumber({ regionCode: '110105', birthDate: '1949-12-31', sequence: 2 })).toBe(STANDARD_EXAMPLE);
  });

  test.each([
    [{ regionCode: '11010', birthDate: '1990-01-01', sequence: 1 }],
    [{ regionCode: '990105', birthDate: '1990-01-01', sequence: 1 }],
    [{ regionCode: '110105', birthDate: '1990-02-30', sequence: 1 }],
    [{ regionCode: '110105', birthDate: '19900101', sequence: 1 }],
    [{ regionCode: '110105', birthDate: '1899-12-31', sequence: 1 }],
    [{ regionCode: '110105', birthDate: '1990-01-01', sequence: -1 }],
    [{ regionCode: '110105', birthDate: '1990-01-01', sequence: 1000 }],
    [{ regionCode: '110105', birthDate: '1990-01-01', sequence: 1.5 }],
  ])('when given %j, then it throws RangeError', (parts) => {
    expect(() => makeIdNumber(parts)).toThrow(RangeError);
  });
});

describe('maskIdNumber', () => {
  test('when given an 18-character number, then the first 4 and last 4 are kept and the 10 between masked', () => {
    expect(maskIdNumber(STANDARD_EXAMPLE)).toBe('1101**********002X');
  });

  test('when given short or odd input, then it is masked without throwing', () => {
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber('123')).toBe('***');
    expect(maskIdNumber('12345678')).toBe('12****78');
    expect(maskIdNumber('110105194912310')).toBe('110*********310');
    expect(maskIdNumber(undefined)).toBe('');
    expect(maskIdNumber(null)).toBe('');
    expect(maskIdNumber(12345678901234567890)).toMatch(/^1234\*+/);
    expect(maskIdNumber({ toString: () => { throw new Error('boom'); } })).toBe('');
    expect(() => maskIdNumber(Symbol('x'))).not.toThrow();
  });

  test('when given any text, then the length is kept, at most 8 characters are shown, at least half are masked, and it never throws', () => {
    // Inputs without '*', so that every '*' in the output is a masked character.
    const text = fc.oneof(fc.string({ unit: 'grapheme-composite', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })).map((t) => t.replace(/\*/g, '#'));
    fc.assert(
      fc.property(text, (input) => {
        const inChars = Array.from(input);
        const outChars = Array.from(maskIdNumber(input));
        expect(outChars).toHaveLength(inChars.length);
        outChars.forEach((char, i) => expect(char === '*' || char === inChars[i]).toBe(true));
        const shown = outChars.filter((char) => char !== '*').length;
        expect(shown).toBeLessThanOrEqual(8);
        expect(inChars.length - shown).toBeGreaterThanOrEqual(Math.ceil(inChars.length / 2));
      }),
    );
  });
});

describe('maskName', () => {
  test.each([
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['欧阳娜娜', '欧***'],
    ['阿依古丽·买买提', '阿*******'],
    ['李', '*'],
    ['', ''],
    ['𠮷野家', '𠮷**'], // a character outside the Basic Multilingual Plane counts as one
  ])('when the name is %j, then it is logged as %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  test('when given anything, then it never throws and shows at most the first character', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const masked = maskName(input);
        expect(Array.from(masked).slice(1).every((char) => char === '*')).toBe(true);
      }),
    );
  });
});
