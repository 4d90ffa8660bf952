/**
 * Lines piped into kaiwa are messages to the model, paid for. What is plainly no text (a WAV
 * piped in without `--input -`, binary data, bytes that are not UTF-8) is refused before any
 * of it is sent.
 */
export function notTypedText(line: string, first: boolean): string | undefined {
  // The four size bytes between may not decode as one character each: 'WAVE' is looked for near.
  if (first && line.startsWith('RIFF') && line.slice(4, 16).includes('WAVE')) {
    return 'standard input is a WAV file, not lines of text: to send it as your voice, use --input -';
  }
  if (line.includes('\u0000')) {
    return 'standard input holds binary data, not lines of text (nothing of it was sent); to send a WAV as your voice, use --input -';
  }
  if (line.includes('\uFFFD')) {
    return 'standard input is not UTF-8 text (nothing of this line was sent): convert it first, e.g. iconv -f latin1 -t utf-8';
  }
  return undefined;
}
