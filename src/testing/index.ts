/**
 * `kaiwa/testing`: what a test needs to run a client against kaiwa's offline server and
 * make the network fail on cue. Not part of the CLI's runtime.
 */
export { FaultInjector, type FaultInjectorEvents } from './fault-injector.js';
export type { FaultSessionInfo } from './fault-connection.js';
export type {
  EventMatch, FaultAction, FaultDirection, FaultReport, FaultRule, FaultRuleOptions,
} from './fault-rules.js';
export { startRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from '../server/realtime-server.js';
export type { ConnectionHook, HookedSocket, UpgradeRefusal } from '../server/connection-hook.js';
export { EchoEngine } from '../server/engines/echo-engine.js';
export { parseFaultSpec, armFaults, describeFaults, type FaultSpec } from './fault-spec.js';
export type { Pacing } from './event-pacer.js';
export { ScriptEngine } from '../server/engines/script-engine.js';
export { loadReplyScript, parseReplyScript, type ReplyScriptFile } from '../server/engines/scripted-turns.js';
export { MistakeLedger } from '../server/strict/client-mistakes.js';
