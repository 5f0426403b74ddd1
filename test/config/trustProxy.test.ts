import { ConfigError, loadConfig } from '../../config';

describe('TRUST_PROXY', () => {
  test('when unset, then no proxy is trusted: the client address is the connection’s', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'none' }).TRUST_PROXY).toBe(false);
  });

  test('when it names proxies or a hop count, then Express gets exactly those', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,uniquelocal,::1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', 'uniquelocal', '::1']);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
  });

  test('when it is anything else (trusting every address included), then start-up fails with one clear line', () => {
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '0', '1.5', 'loopback,']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: /);
  });
});
