import type { RealtimeServer } from '../server/realtime-server.js';
import type { Logger } from '../logger.js';

const ECHO_ENGINE = '(echo engine: it repeats what it understood, it is not a model)';

/** Why kaiwa is offline: no key to reach the service with, or `--local` asked for it. */
export type OfflineReason = 'no-key' | 'local';

/** The one line saying that kaiwa is offline, why, and how to reach the real service. */
export function offlineNotice(reason: OfflineReason): string {
  return reason === 'local'
    ? `offline mode: --local, so kaiwa talks to its built-in local server ${ECHO_ENGINE}; drop --local for the real service`
    : `offline mode: no OPENAI_API_KEY, so kaiwa talks to its built-in local server ${ECHO_ENGINE}; set OPENAI_API_KEY for the real service`;
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
