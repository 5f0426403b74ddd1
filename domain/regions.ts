/**
 * Administrative divisions (GB/T 2260): the 31 province-level divisions of mainland China, and the
 * prefecture-level cities and counties our seed data and tests use. Codes are 6 digits: 2 province,
 * 2 city, 2 county; a province is `XX0000`, a city `XXYY00`.
 */
export type RegionLevel = 'province' | 'city' | 'county';

export interface Region {
  code: string;
  name: string;
  nameEn: string;
  level: RegionLevel;
  parentCode?: string;
}

export const provinces: readonly Region[] = [
  ['11', '北京市', 'Beijing'], ['12', '天津市', 'Tianjin'], ['13', '河北省', 'Hebei'], ['14', '山西省', 'Shanxi'],
  ['15', '内蒙古自治区', 'Inner Mongolia'], ['21', '辽宁省', 'Liaoning'], ['22', '吉林省', 'Jilin'], ['23', '黑龙江省', 'Heilongjiang'],
  ['31', '上海市', 'Shanghai'], ['32', '江苏省', 'Jiangsu'], ['33', '浙江省', 'Zhejiang'], ['34', '安徽省', 'Anhui'],
  ['35', '福建省', 'Fujian'], ['36', '江西省', 'Jiangxi'], ['37', '山东省', 'Shandong'], ['41', '河南省', 'Henan'],
  ['42', '湖北省', 'Hubei'], ['43', '湖南省', 'Hunan'], ['44', '广东省', 'Guangdong'], ['45', '广西壮族自治区', 'Guangxi'],
  ['46', '海南省', 'Hainan'], ['50', '重庆市', 'Chongqing'], ['51', '四川省', 'Sichuan'], ['52', '贵州省', 'Guizhou'],
  ['53', '云南省', 'Yunnan'], ['54', '西藏自治区', 'Tibet'], ['61', '陕西省', 'Shaanxi'], ['62', '甘肃省', 'Gansu'],
  ['63', '青海省', 'Qinghai'], ['64', '宁夏回族自治区', 'Ningxia'], ['65', '新疆维吾尔自治区', 'Xinjiang'],
].map(([code, name, nameEn]) => ({ code: `${code}0000`, name, nameEn, level: 'province' as const }));

/** [code, name, English name]: cities end in 00, counties do not; each belongs to the code above it. */
const localities: ReadonlyArray<[string, string, string]> = [
  ['110105', '朝阳区', 'Chaoyang, Beijing'], ['110108', '海淀区', 'Haidian, Beijing'], ['110101', '东城区', 'Dongcheng, Beijing'],
  ['120101', '和平区', 'Heping, Tianjin'], ['120104', '南开区', 'Nankai, Tianjin'],
  ['310115', '浦东新区', 'Pudong, Shanghai'], ['310104', '徐汇区', 'Xuhui, Shanghai'], ['310112', '闵行区', 'Minhang, Shanghai'],
  ['500103', '渝中区', 'Yuzhong, Chongqing'], ['500105', '江北区', 'Jiangbei, Chongqing'],
  ['320100', '南京市', 'Nanjing'], ['320102', '玄武区', 'Xuanwu, Nanjing'], ['320500', '苏州市', 'Suzhou'], ['320505', '虎丘区', 'Huqiu, Suzhou'],
  ['330100', '杭州市', 'Hangzhou'], ['330106', '西湖区', 'Xihu, Hangzhou'], ['330200', '宁波市', 'Ningbo'], ['330203', '海曙区', 'Haishu, Ningbo'],
  ['340100', '合肥市', 'Hefei'], ['340104', '蜀山区', 'Shushan, Hefei'], ['341200', '阜阳市', 'Fuyang'], ['341202', '颍州区', 'Yingzhou, Fuyang'],
  ['360100', '南昌市', 'Nanchang'], ['360102', '东湖区', 'Donghu, Nanchang'], ['360700', '赣州市', 'Ganzhou'], ['360702', '章贡区', 'Zhanggong, Ganzhou'],
  ['410100', '郑州市', 'Zhengzhou'], ['410105', '金水区', 'Jinshui, Zhengzhou'], ['411300', '南阳市', 'Nanyang'], ['411302', '宛城区', 'Wancheng, Nanyang'],
  ['411600', '周口市', 'Zhoukou'], ['411602', '川汇区', 'Chuanhui, Zhoukou'],
  ['420100', '武汉市', 'Wuhan'], ['420106', '武昌区', 'Wuchang, Wuhan'], ['420500', '宜昌市', 'Yichang'], ['420502', '西陵区', 'Xiling, Yichang'],
  ['430100', '长沙市', 'Changsha'], ['430104', '岳麓区', 'Yuelu, Changsha'], ['431100', '永州市', 'Yongzhou'], ['431102', '零陵区', 'Lingling, Yongzhou'],
  ['440100', '广州市', 'Guangzhou'], ['440106', '天河区', 'Tianhe, Guangzhou'], ['440300', '深圳市', 'Shenzhen'], ['440305', '南山区', 'Nanshan, Shenzhen'],
  ['440306', '宝安区', "Bao'an, Shenzhen"], ['441900', '东莞市', 'Dongguan'], ['441901', '东莞市辖区', 'Dongguan urban'],
  ['510100', '成都市', 'Chengdu'], ['510107', '武侯区', 'Wuhou, Chengdu'], ['511300', '南充市', 'Nanchong'], ['511302', '顺庆区', 'Shunqing, Nanchong'],
  ['370100', '济南市', 'Jinan'], ['370102', '历下区', 'Lixia, Jinan'], ['130100', '石家庄市', 'Shijiazhuang'], ['130102', '长安区', "Chang'an, Shijiazhuang"],
  ['450100', '南宁市', 'Nanning'], ['450102', '兴宁区', 'Xingning, Nanning'], ['520100', '贵阳市', 'Guiyang'], ['520102', '南明区', 'Nanming, Guiyang'],
];

const parentOf = (code: string): string =>
  code.endsWith('00') || code.slice(0, 2) === '11' || ['12', '31', '50'].includes(code.slice(0, 2))
    ? `${code.slice(0, 2)}0000`
    : `${code.slice(0, 4)}00`;

export const regions: readonly Region[] = [
  ...provinces,
  ...localities.map(([code, name, nameEn]) => ({
    code,
    name,
    nameEn,
    level: code.endsWith('00') ? ('city' as const) : ('county' as const),
    parentCode: parentOf(code),
  })),
];

const provinceCodes = new Set(provinces.map((province) => province.code.slice(0, 2)));

/** True for the two leading digits of one of the 31 province-level divisions. */
export const isKnownProvince = (twoDigits: string) => provinceCodes.has(twoDigits);

export const provinceCodeOf = (code: string) => `${code.slice(0, 2)}0000`;

/** `440000` covers `44…`, `440300` covers `4403…`: a region code as the prefix of what it contains. */
export const regionPrefix = (code: string) => (code.length === 6 ? code.replace(/(00)+$/, '') : code);

/** Whether region `code` lies within `ancestorCode` (itself included); ancestors may be 2, 4 or 6 digits. */
export const isWithinRegion = (code: string, ancestorCode: string) => code.startsWith(regionPrefix(ancestorCode));
