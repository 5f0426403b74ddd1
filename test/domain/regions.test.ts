import { findRegion, isKnownProvince, isWithinRegion, provinceCodeOf, provinces, regionPrefix, regions } from '../../domain';

const PAIRED_PROVINCES = ['11', '12', '31', '32', '33', '34', '36', '41', '42', '43', '44', '50', '51'];
const MUNICIPALITIES = ['11', '12', '31', '50'];

describe('provinces', () => {
  test('when listed, then there are the 31 province-level divisions of mainland China, 11 Beijing to 65 Xinjiang', () => {
    expect(provinces).toHaveLength(31);
    expect(provinces.map((p) => p.code.slice(0, 2))).toEqual([
      '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41',
      '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
    ]);
    expect(provinces[0]).toMatchObject({ code: '110000', name: '北京市', nameEn: 'Beijing', level: 'province' });
    expect(provinces[30]).toMatchObject({ code: '650000', name: '新疆维吾尔自治区', nameEn: 'Xinjiang' });
    expect(findRegion('440000')).toMatchObject({ name: '广东省', nameEn: 'Guangdong' });
  });

  test('when a province is listed, then it has no parent and a Chinese and an English name', () => {
    for (const province of provinces) {
      expect(province.parentCode).toBeUndefined();
      expect(province.name).toMatch(/[省市区]$/);
      expect(province.nameEn).toMatch(/^[A-Z]/);
    }
  });
});

describe('regions', () => {
  test('when listed, then every code is 6 digits and appears once', () => {
    const codes = regions.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
  });

  test('when a region has a parent, then the parent is listed before it, one level up or a municipality, and contains it', () => {
    const seen = new Map<string, string>();
    for (const region of regions) {
      if (region.level !== 'province') {
        const parentLevel = seen.get(region.parentCode!);
        expect(parentLevel).toBeDefined();
        if (region.level === 'city') expect(parentLevel).toBe('province');
        if (region.level === 'county') expect(parentLevel === 'city' || MUNICIPALITIES.includes(region.code.slice(0, 2))).toBe(true);
        expect(isWithinRegion(region.code, region.parentCode!)).toBe(true);
      }
      seen.set(region.code, region.level);
    }
  });

  test('when the level is read from the code, then it agrees: XX0000 province, XXYY00 city, other county', () => {
    for (const region of regions) {
      const expected = region.code.endsWith('0000') ? 'province' : region.code.endsWith('00') ? 'city' : 'county';
      expect(region.level).toBe(expected);
    }
  });

  test.each(PAIRED_PROVINCES)('when province %s is listed, then it has at least 2 cities (unless a municipality) and 2 counties', (province) => {
    const inside = regions.filter((r) => r.code.startsWith(province));
    const cities = inside.filter((r) => r.level === 'city');
    const counties = inside.filter((r) => r.level === 'county');
    expect(counties.length).toBeGreaterThanOrEqual(2);
    if (MUNICIPALITIES.includes(province)) expect(cities).toHaveLength(0);
    else expect(cities.length).toBeGreaterThanOrEqual(2);
  });

  test('when the counties the other test suites use are looked up, then they exist with their real names', () => {
    expect(findRegion('110105')?.name).toBe('朝阳区');
    expect(findRegion('310115')?.name).toBe('浦东新区');
    expect(findRegion('440305')?.name).toBe('南山区');
    expect(findRegion('330106')?.name).toBe('西湖区');
    expect(findRegion('410105')?.name).toBe('金水区');
    expect(findRegion('510107')?.name).toBe('武侯区');
    expect(findRegion('440305')?.parentCode).toBe('440300');
    expect(findRegion('110105')?.parentCode).toBe('110000');
    expect(findRegion('999999')).toBeUndefined();
  });
});

describe('isKnownProvince', () => {
  test('when given the two digits of a listed province, then it is known, and otherwise not', () => {
    expect(isKnownProvince('11')).toBe(true);
    expect(isKnownProvince('65')).toBe(true);
    for (const unknown of ['00', '10', '16', '20', '71', '81', '82', '99', '1', '110', '']) expect(isKnownProvince(unknown)).toBe(false);
  });
});

describe('provinceCodeOf', () => {
  test('when given a city or county code, then it gives the padded province code', () => {
    expect(provinceCodeOf('440305')).toBe('440000');
    expect(provinceCodeOf('440300')).toBe('440000');
    expect(provinceCodeOf('440000')).toBe('440000');
    expect(provinceCodeOf('4403')).toBe('440000');
  });
});

describe('regionPrefix', () => {
  test.each([
    ['440000', '44'],
    ['440300', '4403'],
    ['440305', '440305'],
    ['4400', '44'],
    ['4403', '4403'],
    ['44', '44'],
    ['410100', '4101'],
    ['100000', '10'],
    ['000000', ''],
  ])('when given %s, then the prefix is %j', (code, prefix) => {
    expect(regionPrefix(code)).toBe(prefix);
  });
});

describe('isWithinRegion', () => {
  test.each([
    ['440300', '440000', true],
    ['440305', '440000', true],
    ['440305', '440300', true],
    ['440305', '440305', true],
    ['440305', '44', true],
    ['440305', '4403', true],
    ['440305', '4400', true],
    ['440000', '440000', true],
    ['440000', '440300', false],
    ['440300', '440305', false],
    ['440106', '440300', false],
    ['410105', '440000', false],
    ['441900', '440000', true],
    ['110105', '11', true],
    ['110105', '12', false],
    // Malformed input and the all-zero code are never a jurisdiction.
    ['440305', '000000', false],
    ['440305', '', false],
    ['440305', '4', false],
    ['440305', '44030', false],
    ['44a305', '44', false],
    ['', '44', false],
  ])('when %j is tested against %j, then within is %s', (code, ancestor, within) => {
    expect(isWithinRegion(code, ancestor)).toBe(within);
  });

  test('when given something that is not a string, then it is not within anything', () => {
    expect(isWithinRegion(undefined as unknown as string, '44')).toBe(false);
    expect(isWithinRegion('440305', null as unknown as string)).toBe(false);
  });

  test('when any listed region is tested against its province, then it is within it, and within no other province', () => {
    for (const region of regions) {
      for (const province of provinces) {
        expect(isWithinRegion(region.code, province.code)).toBe(province.code === provinceCodeOf(region.code));
      }
    }
  });
});
