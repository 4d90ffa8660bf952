import type { RealtimeServer } from '../server/realtime-server.js';
import type { Logger } from '../logger.js';


/** Why kaiwa is offline: no key to reach the service with, or `--local` asked for it. */
export type OfflineReason = 'no-key' | 'local';

/** The one line (under 80 columns) saying that kaiwa is offline and why; the README says how to go online. */
export function offlineNotice(reason: OfflineReason): string {
  return reason === 'local'
    ? 'offline (--local): kaiwa\'s local server echoes what you say; it is no model'
    : 'offline (no OPENAI_API_KEY): kaiwa\'s local server echoes you; it is no model';
}

/**
 * The no-key default: the same local server as `kaiwa serve`, in this process, on a free
 * loopback port. The client still talks to it over a real WebSocket, so offline mode
 * exercises exactly the code path used with the real service.
 */
export async function startEmbeddedServer(logger: Logger, options: { listening?: boolean } = {}): Promise<RealtimeServer> {
  // Loaded only offline: with a key, the server and its speech parts are not needed.
  const [{ startRealtimeServer }, { EchoEngine }, { loadSpeechParts }] = await Promise.all([
    import('../server/realtime-server.js'), import('../server/engines/echo-engine.js'), import('../server/speech-parts.js'),
  ]);
  // The server's routine lines (sessions opening and closing) are noise in a conversation.
  const serverLogger: Logger = { log: (level, message) => logger.log(level === 'info' ? 'debug' : level, `local server: ${message}`) };
  return startRealtimeServer({
    host: '127.0.0.1',
    port: 0,
    engine: new EchoEngine(),
    speech: await loadSpeechParts((message) => serverLogger.log('warn', message), options),
    logger: serverLogger,
  });
}
