import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultExportFolder, writePrivateFile } from '../../src/core/privateFile';

describe('exports of query results: owner-only files outside the workspace', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira2fa-private-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a new file with mode 0600 whatever the umask', async function () {
    if (process.platform === 'win32') this.skip();
    const old = process.umask(0o000);
    try {
      await writePrivateFile(path.join(dir, 'rows.csv'), 'a,b\n');
    } finally {
      process.umask(old);
    }
    assert.equal(fs.statSync(path.join(dir, 'rows.csv')).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(path.join(dir, 'rows.csv'), 'utf8'), 'a,b\n');
  });

  it('replaces a file that was readable by others with an owner-only one, leaving no temporary file', async function () {
    if (process.platform === 'win32') this.skip();
    const file = path.join(dir, 'rows.json');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await writePrivateFile(file, '[]');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['rows.json']);
  });

  it('offers the Downloads folder, else the home folder: never the workspace', () => {
    assert.equal(defaultExportFolder(dir), dir);
    fs.mkdirSync(path.join(dir, 'Downloads'));
    assert.equal(defaultExportFolder(dir), path.join(dir, 'Downloads'));
  });
});
