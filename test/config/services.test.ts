import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeServicesFile } from '../../config/services';

describe('.data/services.json', () => {
  const services = { databaseUrl: 'postgres://app:secret@127.0.0.1:5432/idcards', temporalAddress: '127.0.0.1:7233', temporalNamespace: 'default', apiUrl: 'http://127.0.0.1:3000' };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'services-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when npm start writes it, then only its owner may read it (it holds the database URL)', async () => {
    await writeServicesFile(dir, services);
    const file = path.join(dir, 'services.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(services);
  });

  test('when a world-readable file from an earlier start is there, then it is replaced by an owner-only one', async () => {
    const file = path.join(dir, 'services.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    await writeServicesFile(dir, services);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(services);
  });
});
