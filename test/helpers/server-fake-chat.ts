/**
 * A fake OpenAI-compatible Chat Completions endpoint on 127.0.0.1 for the openai-chat
 * engine tests: records each request body and answers with scripted SSE chunks.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface FakeChat {
  url: string;
  requests: Array<{ body: Record<string, unknown>; authorization: string | undefined }>;
}

export type Script = (body: Record<string, unknown>) => { status?: number; chunks?: unknown[]; json?: unknown; delayMs?: number };

export async function startFakeChat(script: Script): Promise<FakeChat> {
  const requests: FakeChat['requests'] = [];
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as Record<string, unknown>;
    requests.push({ body, authorization: req.headers.authorization });
    const answer = script(body);
    if (answer.json !== undefined || (answer.status ?? 200) !== 200) {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.json ?? { error: { message: 'scripted failure' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const chunk of answer.chunks ?? []) {
      // Split each event across writes, as real networks do.
      const text = `data: ${JSON.stringify(chunk)}\r\n\r\n`;
      res.write(text.slice(0, 7));
      res.write(text.slice(7));
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
    }
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

export function textChunks(...pieces: string[]): unknown[] {
  return pieces.map((content) => ({ choices: [{ index: 0, delta: { content } }] }));
}
