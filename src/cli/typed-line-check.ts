/**
 * Lines piped into kaiwa are messages to the model, paid for. What is plainly no text (a WAV
 * piped in without `--input -`, binary data, bytes that are not UTF-8) is refused before any
 * of it is sent. Each line is decoded strictly: a line that holds U+FFFD itself is text.
 */
export type TypedLine = { text: string } | { refused: 'a WAV file' | 'binary data' | 'not UTF-8' };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of one piped line (its bytes, without the line end), or why it is no text. */
export function readTypedLine(bytes: Uint8Array, first: boolean): TypedLine {
  // The four size bytes between are any bytes: 'WAVE' is looked for near.
  if (first && Buffer.from(bytes.subarray(0, 16)).toString('latin1').match(/^RIFF.{0,8}WAVE/s)) return { refused: 'a WAV file' };
  if (bytes.includes(0)) return { refused: 'binary data' };
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return { refused: 'not UTF-8' };
  }
}

/**
 * The one line that says so: for the first line sent, that nothing of standard input was sent;
 * for a later one, its number, and that it and the lines after it were not sent.
 */
export function typedLineRefusal(refused: 'a WAV file' | 'binary data' | 'not UTF-8', number: number, earlierSent: boolean): string {
  if (refused === 'a WAV file') return 'standard input is a WAV file, not lines of text: to send it as your voice, use --input -';
  const convert = 'convert it first, e.g. iconv -f latin1 -t utf-8';
  if (earlierSent) {
    const notSent = 'it and the lines after it were not sent';
    return refused === 'binary data'
      ? `line ${number} of standard input holds binary data, not text: ${notSent}`
      : `line ${number} of standard input is not UTF-8 text: ${notSent} (${convert})`;
  }
  return refused === 'binary data'
    ? 'standard input holds binary data, not lines of text (nothing of it was sent); to send a WAV as your voice, use --input -'
    : `standard input is not UTF-8 text (nothing of this line was sent): ${convert}`;
}
