import { ConfigError, loadConfig } from '../../config';

describe('METRICS_PORT', () => {
  test('when unset, then metrics have a port of their own, apart from the API', () => {
    const config = loadConfig({});
    expect(config.METRICS_PORT).toBe(9464);
    expect(config.METRICS_PORT).not.toBe(config.PORT);
    expect(loadConfig({ METRICS_PORT: '9100' }).METRICS_PORT).toBe(9100);
  });

  test('when it is not a port, or is the API port, then start-up fails with one clear line', () => {
    for (const bad of ['-1', '65536', 'metrics', '3000']) {
      expect(() => loadConfig({ METRICS_PORT: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(/METRICS_PORT: must differ from PORT/);
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  });
});
