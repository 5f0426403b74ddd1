import { ConfigError, loadConfig } from '../../config';

describe('MANAGERS_DIGEST_TIME', () => {
  test('when unset, then the digest is written at 08:00 China time; a valid HH:MM is taken as given', () => {
    expect(loadConfig({}).MANAGERS_DIGEST_TIME).toBe('08:00');
    for (const time of ['00:00', '07:30', '23:59']) expect(loadConfig({ MANAGERS_DIGEST_TIME: time }).MANAGERS_DIGEST_TIME).toBe(time);
  });

  test('when it is no time of day on a 24-hour clock, then start-up fails with one clear line naming it', () => {
    for (const bad of ['8:00', '24:00', '07:60', '0800', '08:00:00', 'morning', ' 08:00']) {
      expect(() => loadConfig({ MANAGERS_DIGEST_TIME: bad })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ MANAGERS_DIGEST_TIME: '25:00' })).toThrow(/^Invalid configuration:\n {2}MANAGERS_DIGEST_TIME: must be HH:MM on a 24-hour clock, China time \(e\.g\. 08:00\)$/);
  });
});
