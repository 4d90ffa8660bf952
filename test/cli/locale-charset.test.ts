import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localeIsUtf8 } from '../../src/cli/locale-charset.js';

test('a locale is UTF-8 when the first of LC_ALL, LC_CTYPE and LANG that is set names UTF-8', () => {
  assert.equal(localeIsUtf8({ LANG: 'en_US.UTF-8' }), true);
  assert.equal(localeIsUtf8({ LANG: 'C.utf8' }), true);
  assert.equal(localeIsUtf8({ LANG: 'C' }), false);
  assert.equal(localeIsUtf8({ LANG: 'en_US.ISO-8859-1' }), false);
  assert.equal(localeIsUtf8({ LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' }), false, 'LC_ALL comes first');
  assert.equal(localeIsUtf8({ LC_ALL: 'C', LC_CTYPE: 'en_US.UTF-8' }), false);
  assert.equal(localeIsUtf8({ LC_CTYPE: 'ja_JP.UTF-8', LANG: 'C' }), true, 'LC_CTYPE before LANG');
  assert.equal(localeIsUtf8({ LC_ALL: '', LC_CTYPE: '', LANG: 'de_DE.UTF-8' }), true, 'an empty variable is not set');
  assert.equal(localeIsUtf8({}), false, 'none set is the C locale');
});
