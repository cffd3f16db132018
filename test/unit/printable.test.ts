import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { printable, printableJson, printableLines } from '../../src/core/printable';
import { shownText } from '../../src/webview/shared/dom';
import { HOSTILE, TERMINAL_HOSTILE, TERMINAL_UNSAFE, label } from '../support/hostileCorpus';

describe('printable: the one output path for untrusted text', () => {
  for (const h of HOSTILE) {
    it(`leaves nothing a terminal or page acts on in ${label(h)}`, () => {
      assert.equal(TERMINAL_UNSAFE.test(printable(h, Infinity)), false);
      assert.equal(/\n/.test(printable(h, Infinity)), false, 'a newline is shown too');
      assert.equal(TERMINAL_UNSAFE.test(printableLines(h)), false);
      assert.equal(TERMINAL_UNSAFE.test(shownText(h)), false, 'webview text');
      const json = printableJson({ v: h });
      assert.equal(TERMINAL_UNSAFE.test(json) || json.includes('\n'), false, 'JSON');
      assert.deepEqual(JSON.parse(json), { v: h }, 'JSON escapes read back as the same value');
    });
  }

  it('shows what it replaced, so a disguised name can be seen', () => {
    assert.equal(printable('user\u202egnp.exe'), 'userU+202Egnp.exe');
    assert.equal(printable('a\u001b[2Jb'), 'aU+001B[2Jb');
    assert.equal(printable('zero\u200bwidth'), 'zeroU+200Bwidth');
    assert.equal(printableLines('one\ntwo\u0007'), 'one\ntwoU+0007');
    assert.equal(printableJson('\u0085\u2028\u007f'), '"\\u0085\\u2028\\u007f"');
    assert.ok(TERMINAL_HOSTILE.length >= 20);
  });

  it('webview code sets text only through dom.ts (setText, el), never innerHTML or textContent', () => {
    const root = path.resolve(__dirname, '..', '..', 'src', 'webview');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(path.join('shared', 'dom.ts'))) {
          const text = fs.readFileSync(p, 'utf8');
          if (/\.(innerHTML|outerHTML|textContent|innerText)\s*=|insertAdjacentHTML|document\.write/.test(text)) offenders.push(path.relative(root, p));
        }
      }
    };
    walk(root);
    assert.deepEqual(offenders, []);
  });
});
