import { Writable } from 'node:stream';
import { createLogger } from '../../config/logger';

/** The lines a logger writes, parsed. */
function capture(service?: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', service, stream), lines };
}

test('a person\'s name or citizen number logged by mistake is masked, at the top and one level down', () => {
  const { logger, lines } = capture('api');
  logger.info({ name: '张三', idNumber: '110101199003071234', citizen: { name: '李四', idNumber: '110101199003071234' } }, 'oops');
  expect(lines[0]).toMatchObject({ name: '[masked]', idNumber: '[masked]', citizen: { name: '[masked]', idNumber: '[masked]' } });
  expect(JSON.stringify(lines[0])).not.toMatch(/张三|李四|1234/);
});

test('every line names the process that wrote it (service), which the masking of names leaves alone', () => {
  const { logger, lines } = capture('worker');
  logger.info('plain');
  logger.child({ component: 'dispatcher' }).warn('child');
  expect(lines.map((line) => line.service)).toEqual(['worker', 'worker']);
  expect(lines.every((line) => !('name' in line))).toBe(true);
});
