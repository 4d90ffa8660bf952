/**
 * Whether the user's locale says their terminal takes UTF-8, by the rule every C program
 * follows: the first of LC_ALL, LC_CTYPE and LANG that is set (an empty one is not) names
 * the locale, and none set is the C locale. Its charset is UTF-8 when the name says so
 * (`en_US.UTF-8`, `C.utf8`); `C`, `POSIX` and `en_US.ISO-8859-1` are not.
 */
export function localeIsUtf8(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || 'C';
  return /utf-?8/i.test(locale);
}
