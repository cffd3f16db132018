// The batched restore statements: the SQL text each dialect gets and how many rows one
// statement may carry under SQL Server's 2100-parameter and Oracle's 1000-item limits.
import assert from 'node:assert/strict';
import { RESTORE_BATCH_ROWS, restoreStatements } from '../../src/core/recovery/restore';
import { dialectFacts } from '../../src/core/db/dialect';
import { bindNamed } from '../../src/core/db/bindParams';
import type { Column } from '../../src/core/db/types';

const ENROLLMENT_COLUMNS: Column[] = ['USER_KEY', 'SECRET', 'RECOVERY_CODE', 'CREATED_AT', 'MODIFIED_AT'].map((name) => ({
  name,
  type: name.endsWith('_AT') ? 'timestamp' : 'text',
  nativeType: name.endsWith('_AT') ? 'datetime2' : 'nvarchar',
}));
const enrollment = { columns: ENROLLMENT_COLUMNS, table: { name: 'AO_ED669C_TOTP_USER_ENROLLMENT', key: ['USER_KEY'] } };
const TABLE = 'AO_ED669C_TOTP_USER_ENROLLMENT';

/** Named values for `n` rows of a statement's placeholders (`prefix<row>_<i>`). */
function values(prefix: 'c' | 'k', n: number, perRow: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let r = 0; r < n; r++) for (let i = 0; i < perRow; i++) out[`${prefix}${r}_${i}`] = `v${r}.${i}`;
  return out;
}

describe('batched restore statements', () => {
  it('SQL Server: INSERT of as many rows as fit in 2098 parameters, key check of up to the batch cap', () => {
    const st = restoreStatements(enrollment, TABLE, dialectFacts('mssql'));
    assert.equal(st.insertRows, Math.floor(2098 / 5)); // 419 rows of 5 columns
    assert.equal(st.checkRows, RESTORE_BATCH_ROWS);
    assert.equal(
      bindNamed(st.insert(2), 'mssql', values('c', 2, 5)).text,
      'INSERT INTO [AO_ED669C_TOTP_USER_ENROLLMENT] ([USER_KEY], [SECRET], [RECOVERY_CODE], [CREATED_AT], [MODIFIED_AT]) VALUES (@p1, @p2, @p3, @p4, @p5), (@p6, @p7, @p8, @p9, @p10)',
    );
    const full = bindNamed(st.insert(st.insertRows), 'mssql', values('c', st.insertRows, 5));
    assert.equal(full.binds.length, 2095);
    assert.ok(full.binds.length <= 2098);
    assert.match(full.text, /\(@p2091, @p2092, @p2093, @p2094, @p2095\)$/);
    assert.deepEqual(full.binds[5], { value: 'v1.0' }, 'values are bound in row order');
    const check = bindNamed(st.check(3), 'mssql', values('k', 3, 1));
    assert.equal(check.text, 'SELECT [USER_KEY] FROM [AO_ED669C_TOTP_USER_ENROLLMENT] WHERE [USER_KEY] IN (@p1, @p2, @p3)');
    assert.deepEqual(check.binds.map((b) => b.value), ['v0.0', 'v1.0', 'v2.0']);
  });

  it('SQL Server: never more than 1000 rows in one VALUES list, even for a narrow table', () => {
    const narrow = { columns: ENROLLMENT_COLUMNS.slice(0, 1), table: { name: TABLE, key: ['USER_KEY'] } };
    assert.equal(restoreStatements(narrow, TABLE, { ...dialectFacts('mssql'), maxBindParams: 100_000 }).insertRows, 1000);
  });

  it('SQL Server: a composite key is checked with OR-ed conditions, within the parameter limit', () => {
    const twoKeys = { columns: ENROLLMENT_COLUMNS, table: { name: TABLE, key: ['USER_KEY', 'secret'] } };
    const st = restoreStatements(twoKeys, TABLE, dialectFacts('mssql'));
    assert.equal(st.checkRows, RESTORE_BATCH_ROWS); // 2000 parameters ≤ 2098
    assert.equal(
      bindNamed(st.check(2), 'mssql', values('k', 2, 2)).text,
      'SELECT [USER_KEY], [SECRET] FROM [AO_ED669C_TOTP_USER_ENROLLMENT] WHERE ([USER_KEY] = @p1 AND [SECRET] = @p2) OR ([USER_KEY] = @p3 AND [SECRET] = @p4)',
    );
    const threeKeys = { columns: ENROLLMENT_COLUMNS, table: { name: TABLE, key: ['USER_KEY', 'SECRET', 'RECOVERY_CODE'] } };
    assert.equal(restoreStatements(threeKeys, TABLE, dialectFacts('mssql')).checkRows, Math.floor(2098 / 3));
  });

  it('Oracle: key checks of at most 1000 IN-list items; one prepared INSERT per row', () => {
    const st = restoreStatements(enrollment, TABLE, dialectFacts('oracle'));
    assert.equal(st.checkRows, 1000);
    assert.equal(st.insertRows, 1);
    const check = bindNamed(st.check(1000), 'oracle', values('k', 1000, 1));
    assert.equal(check.binds.length, 1000);
    assert.ok(check.text.startsWith('SELECT "USER_KEY" FROM "AO_ED669C_TOTP_USER_ENROLLMENT" WHERE "USER_KEY" IN (:b1, :b2, '));
    assert.ok(check.text.endsWith(', :b999, :b1000)'));
    assert.equal(
      bindNamed(st.insert(1), 'oracle', values('c', 1, 5)).text,
      'INSERT INTO "AO_ED669C_TOTP_USER_ENROLLMENT" ("USER_KEY", "SECRET", "RECOVERY_CODE", "CREATED_AT", "MODIFIED_AT") VALUES (:b1, :b2, :b3, :b4, :b5)',
    );
  });

  it('PostgreSQL and MySQL: up to the batch cap of rows per statement, their own placeholders', () => {
    for (const d of ['postgres', 'mysql'] as const) {
      const st = restoreStatements(enrollment, TABLE, dialectFacts(d));
      assert.equal(st.insertRows, RESTORE_BATCH_ROWS);
      assert.equal(st.checkRows, RESTORE_BATCH_ROWS);
    }
    const pg = restoreStatements(enrollment, TABLE, dialectFacts('postgres'));
    assert.match(bindNamed(pg.insert(2), 'postgres', values('c', 2, 5)).text, /VALUES \(\$1, \$2, \$3, \$4, \$5\), \(\$6, \$7, \$8, \$9, \$10\)$/);
    const my = restoreStatements(enrollment, TABLE, dialectFacts('mysql'));
    assert.equal(bindNamed(my.check(2), 'mysql', values('k', 2, 1)).text, 'SELECT `USER_KEY` FROM `AO_ED669C_TOTP_USER_ENROLLMENT` WHERE `USER_KEY` IN (?, ?)');
  });

  it('refuses a backup whose key column is missing or that names no key', () => {
    assert.throws(() => restoreStatements({ columns: ENROLLMENT_COLUMNS, table: { name: TABLE, key: ['NOPE'] } }, TABLE, dialectFacts('mssql')), /no column NOPE/);
    assert.throws(() => restoreStatements({ columns: ENROLLMENT_COLUMNS, table: { name: TABLE, key: [] } }, TABLE, dialectFacts('oracle')), /names no key/);
  });
});
