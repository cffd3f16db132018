import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BOM, csvField, csvLine, csvSafeCell, toCsv } from '../../src/core/csv';

/**
 * An RFC 4180 reader written for this test only (LF or CRLF line ends, quoted fields), so the
 * writer is checked against the format rather than against itself.
 */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
        if (text[i] === '"') { i++; break; }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\n') throw new Error(`text after a closing quote at ${i}`);
      continue;
    }
    const c = text[i++];
    if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n') { record.push(field); records.push(record); record = []; field = ''; }
    else if (c === '"' || c === '\r') throw new Error(`bare ${JSON.stringify(c)} in an unquoted field at ${i - 1}`);
    else field += c;
  }
  if (field !== '' || record.length) throw new Error('last record has no line end');
  return records;
}

describe('CSV writer', () => {
  it('quotes only what needs it and doubles quotes', () => {
    assert.equal(csvField('plain text'), 'plain text');
    assert.equal(csvField(''), '');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('line1\nline2'), '"line1\nline2"');
    assert.equal(csvField('cr\ronly'), '"cr\ronly"', 'a bare CR is quoted too: spreadsheets read it as a line break');
    assert.equal(csvLine(['a', 'b,c', '']), 'a,"b,c",\n');
  });

  it('writes a header, the rows and, when asked, a byte order mark', () => {
    assert.equal(toCsv(['x', 'y'], [['1', '2'], ['3', '']]), 'x,y\n1,2\n3,\n');
    assert.equal(toCsv(['x'], []), 'x\n');
    assert.equal(toCsv(undefined, [['only']]), 'only\n');
    assert.equal(toCsv(['x'], [], { bom: true }), `${BOM}x\n`);
  });

  it('defuses what a spreadsheet would run as a formula', () => {
    assert.equal(csvSafeCell('=1+1'), "'=1+1");
    assert.equal(csvSafeCell('a=1'), 'a=1');
  });

  it('property: any table of any text reads back exactly (RFC 4180)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', '\t', 'é', '😀', '=', "'"), maxLength: 12 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(text, { minLength: w, maxLength: w }), { maxLength: 6 })), (rows) => {
        assert.deepEqual(readCsv(toCsv(undefined, rows)), rows);
      }),
      { numRuns: 500 },
    );
  });
});
