/**
 * Reads the `data:` payloads of a Server-Sent Events stream (what Chat Completions sends
 * with `stream: true`), tolerating CRLF line ends and events split across network chunks.
 */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let pending = '';
  let data: string[] = [];
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (line === '') {
        // A blank line ends an event; multi-line data joins with newlines per the SSE spec.
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
  pending += decoder.decode();
  if (pending.startsWith('data:')) data.push(pending.slice(5).replace(/^ /, ''));
  if (data.length > 0) yield data.join('\n');
}
