/** The offline recognizers have only pocketsphinx's US English model. */
export function isEnglish(language: string | undefined): boolean {
  return language === undefined || language === '' || /^en\b/i.test(language);
}
