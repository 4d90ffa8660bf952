/**
 * Splits `--mcp "COMMAND ARGS"` into argv the way a POSIX shell would split words, without
 * running a shell: 'single' and "double" quotes, backslash escapes, and leading
 * NAME=value assignments (which become environment variables). Nothing is expanded
 * ($VAR, ~, globs stay literal), and unquoted shell operators (| & ; < > ` $( ) are
 * refused rather than passed on as arguments the user did not mean.
 */
import { UsageError } from '../errors.js';

export interface SplitCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function splitCommandLine(line: string, flag = '--mcp'): SplitCommand {
  const words = splitWords(line, flag);
  const env: Record<string, string> = {};
  while (words.length > 0 && !words[0]!.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!.text)) {
    const text = words.shift()!.text;
    const equals = text.indexOf('=');
    env[text.slice(0, equals)] = text.slice(equals + 1);
  }
  if (words.length === 0) throw new UsageError(`${flag} needs a command, e.g. ${flag} "npx -y @modelcontextprotocol/server-everything"`);
  const [first, ...rest] = words.map((word) => word.text);
  return { command: first!, args: rest, env };
}

interface Word {
  text: string;
  /** The word's first character was quoted (so NAME=value in it is not an assignment). */
  quoted: boolean;
}

function splitWords(line: string, flag: string): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  const start = (quoted: boolean): Word => {
    current ??= { text: '', quoted };
    return current;
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (current) words.push(current);
      current = undefined;
      i += 1;
      continue;
    }
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`${flag}: unterminated ' quote in ${JSON.stringify(line)}`);
      start(true).text += line.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      const word = start(true);
      i += 1;
      for (;;) {
        if (i >= line.length) throw new UsageError(`${flag}: unterminated " quote in ${JSON.stringify(line)}`);
        const inner = line[i]!;
        if (inner === '"') break;
        if (inner === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word.text += line[i + 1];
          i += 2;
          continue;
        }
        word.text += inner;
        i += 1;
      }
      i += 1;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= line.length) throw new UsageError(`${flag}: the command ends with a lone backslash`);
      if (line[i + 1] !== '\n') start(true).text += line[i + 1];
      i += 2;
      continue;
    }
    if ('|&;<>`'.includes(ch) || (ch === '$' && line[i + 1] === '(')) {
      throw new UsageError(`${flag}: ${JSON.stringify(ch === '$' ? '$(' : ch)} is a shell operator, but no shell runs the command; quote it if it is an argument, or put the pipeline in a script`);
    }
    start(false).text += ch;
    i += 1;
  }
  if (current) words.push(current);
  return words;
}
