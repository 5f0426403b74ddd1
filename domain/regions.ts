/**
 * Administrative divisions (行政区划, GB/T 2260): the 31 province-level divisions of mainland China,
 * and the prefecture-level cities and counties our seed data and tests use — real codes, not a
 * complete list. A code has 6 digits: 2 province, 2 city, 2 county; a province is `XX0000`, a city
 * `XXYY00`, a county `XXYYZZ` with `ZZ` not `00`.
 *
 * The four municipalities (北京, 天津, 上海, 重庆) have no prefecture-level cities: their districts
 * and counties sit directly under the municipality here. GB/T 2260's placeholders `110100 市辖区`
 * and `500200 县` are groupings, not places anyone is registered in, so they are left out.
 */
export type RegionLevel = 'province' | 'city' | 'county';

export interface Region {
  /** 6 digits. */
  code: string;
  name: string;
  /** Pinyin, or the usual English name. */
  nameEn: string;
  level: RegionLevel;
  /** Absent for provinces. */
  parentCode?: string;
}

const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

export const provinces: readonly Region[] = (
  [
    ['11', '北京市', 'Beijing'], ['12', '天津市', 'Tianjin'], ['13', '河北省', 'Hebei'], ['14', '山西省', 'Shanxi'],
    ['15', '内蒙古自治区', 'Inner Mongolia'], ['21', '辽宁省', 'Liaoning'], ['22', '吉林省', 'Jilin'], ['23', '黑龙江省', 'Heilongjiang'],
    ['31', '上海市', 'Shanghai'], ['32', '江苏省', 'Jiangsu'], ['33', '浙江省', 'Zhejiang'], ['34', '安徽省', 'Anhui'],
    ['35', '福建省', 'Fujian'], ['36', '江西省', 'Jiangxi'], ['37', '山东省', 'Shandong'], ['41', '河南省', 'Henan'],
    ['42', '湖北省', 'Hubei'], ['43', '湖南省', 'Hunan'], ['44', '广东省', 'Guangdong'], ['45', '广西壮族自治区', 'Guangxi'],
    ['46', '海南省', 'Hainan'], ['50', '重庆市', 'Chongqing'], ['51', '四川省', 'Sichuan'], ['52', '贵州省', 'Guizhou'],
    ['53', '云南省', 'Yunnan'], ['54', '西藏自治区', 'Tibet (Xizang)'], ['61', '陕西省', 'Shaanxi'], ['62', '甘肃省', 'Gansu'],
    ['63', '青海省', 'Qinghai'], ['64', '宁夏回族自治区', 'Ningxia'], ['65', '新疆维吾尔自治区', 'Xinjiang'],
  ] as const
).map(([code, name, nameEn]) => ({ code: `${code}0000`, name, nameEn, level: 'province' as const }));

/**
 * [code, name, English name]. Codes ending in `00` are cities, the others counties (districts
 * and counties alike, 区/县). The first county of each province stays first: the demo seed picks it.
 */
const localities: ReadonlyArray<readonly [string, string, string]> = [
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
  ['440306', '宝安区', "Bao'an, Shenzhen"], ['441900', '东莞市', 'Dongguan'],
  ['510100', '成都市', 'Chengdu'], ['510107', '武侯区', 'Wuhou, Chengdu'], ['511300', '南充市', 'Nanchong'], ['511302', '顺庆区', 'Shunqing, Nanchong'],
  ['370100', '济南市', 'Jinan'], ['370102', '历下区', 'Lixia, Jinan'], ['130100', '石家庄市', 'Shijiazhuang'], ['130102', '长安区', "Chang'an, Shijiazhuang"],
  ['450100', '南宁市', 'Nanning'], ['450102', '兴宁区', 'Xingning, Nanning'], ['520100', '贵阳市', 'Guiyang'], ['520102', '南明区', 'Nanming, Guiyang'],
  // More of the provinces the pilots paired, so that every one has 2–3 cities and several counties.
  ['110102', '西城区', 'Xicheng, Beijing'], ['110106', '丰台区', 'Fengtai, Beijing'],
  ['120103', '河西区', 'Hexi, Tianjin'], ['120116', '滨海新区', 'Binhai, Tianjin'],
  ['310101', '黄浦区', 'Huangpu, Shanghai'], ['310106', '静安区', "Jing'an, Shanghai"],
  ['500101', '万州区', 'Wanzhou, Chongqing'], ['500106', '沙坪坝区', 'Shapingba, Chongqing'], ['500112', '渝北区', 'Yubei, Chongqing'],
  ['500229', '城口县', 'Chengkou County, Chongqing'],
  ['320106', '鼓楼区', 'Gulou, Nanjing'], ['320200', '无锡市', 'Wuxi'], ['320211', '滨湖区', 'Binhu, Wuxi'], ['320508', '姑苏区', 'Gusu, Suzhou'],
  ['330102', '上城区', 'Shangcheng, Hangzhou'], ['330300', '温州市', 'Wenzhou'], ['330302', '鹿城区', 'Lucheng, Wenzhou'],
  ['340102', '瑶海区', 'Yaohai, Hefei'], ['340200', '芜湖市', 'Wuhu'], ['340202', '镜湖区', 'Jinghu, Wuhu'],
  ['360400', '九江市', 'Jiujiang'], ['360403', '浔阳区', 'Xunyang, Jiujiang'],
  ['410102', '中原区', 'Zhongyuan, Zhengzhou'], ['411621', '扶沟县', 'Fugou County, Zhoukou'],
  ['420102', '江岸区', "Jiang'an, Wuhan"], ['420600', '襄阳市', 'Xiangyang'], ['420602', '襄城区', 'Xiangcheng, Xiangyang'],
  ['430102', '芙蓉区', 'Furong, Changsha'], ['430300', '湘潭市', 'Xiangtan'], ['430302', '雨湖区', 'Yuhu, Xiangtan'],
  ['440103', '荔湾区', 'Liwan, Guangzhou'], ['440304', '福田区', 'Futian, Shenzhen'],
  ['510104', '锦江区', 'Jinjiang, Chengdu'], ['510700', '绵阳市', 'Mianyang'], ['510703', '涪城区', 'Fucheng, Mianyang'],
];

const parentOf = (code: string): string =>
  code.endsWith('00') || MUNICIPALITIES.has(code.slice(0, 2)) ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;

/** Provinces, then cities, then counties, so a region's parent always comes before it. */
export const regions: readonly Region[] = [
  ...provinces,
  ...localities.filter(([code]) => code.endsWith('00')).map(([code, name, nameEn]) => ({ code, name, nameEn, level: 'city' as const, parentCode: parentOf(code) })),
  ...localities.filter(([code]) => !code.endsWith('00')).map(([code, name, nameEn]) => ({ code, name, nameEn, level: 'county' as const, parentCode: parentOf(code) })),
];

const byCode = new Map(regions.map((region) => [region.code, region]));
const provinceDigits = new Set(provinces.map((province) => province.code.slice(0, 2)));

/** The region with this 6-digit code, if it is in the list. */
export const findRegion = (code: string): Region | undefined => byCode.get(code);

/** True for the two leading digits of one of the 31 province-level divisions. */
export const isKnownProvince = (twoDigits: string): boolean => provinceDigits.has(twoDigits);

/** `440305` → `440000`: the province a region code lies in (its first two digits, padded). */
export const provinceCodeOf = (code: string): string => `${code.slice(0, 2)}0000`;

/**
 * A region code as the prefix shared by everything inside it: `440000` → `44`, `440300` → `4403`,
 * `440305` → `440305`; 2- and 4-digit codes work the same way (`4400` → `44`). Trailing `00`
 * pairs are dropped; `000000` gives `''`.
 */
export function regionPrefix(code: string): string {
  let prefix = code;
  while (prefix.length >= 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2);
  return prefix;
}

const REGION_CODE = /^(\d{2}){1,3}$/;

/**
 * Jurisdiction: whether `code` lies within `ancestorCode`, itself included — `440305` is within
 * `440300`, `4403` and `44`; `440000` is not within `440300`. Either may be 2, 4 or 6 digits.
 * Anything malformed, and an ancestor of all zeros, is outside: a missing scope must never read
 * as the whole country.
 */
export function isWithinRegion(code: string, ancestorCode: string): boolean {
  if (typeof code !== 'string' || typeof ancestorCode !== 'string') return false;
  if (!REGION_CODE.test(code) || !REGION_CODE.test(ancestorCode)) return false;
  const ancestor = regionPrefix(ancestorCode);
  return ancestor !== '' && regionPrefix(code).startsWith(ancestor);
}
