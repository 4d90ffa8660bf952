import type { ConversationState } from '../client/conversation.js';
import { formatTokens } from '../cost/token-format.js';
import { formatDuration } from './duration-format.js';
import { own } from '../own-text.js';

export interface SummaryFacts {
  state: ConversationState;
  /** The user's turns over the whole run (the state holds only the current connection's). */
  userTurns: number;
  elapsedMs: number;
  /** `$0.0123`, `free`, `cost unknown`, … */
  cost: string;
  droppedAudioChunks: number;
  output?: string | undefined;
  record?: string | undefined;
  /** GPT-Live bills session time, not tokens: the token count is left out. */
  perMinute?: boolean;
}

/** The lines printed when a session ends. */
export function summaryLines(facts: SummaryFacts): string[] {
  const { state } = facts;
  const responses = state.responses.length;
  const turns = facts.userTurns;
  const parts = [
    formatDuration(facts.elapsedMs),
    `${turns} turn${turns === 1 ? '' : 's'}`,
    `${responses} response${responses === 1 ? '' : 's'}`,
    ...(facts.perMinute ? [] : [`tokens ${formatTokens(state.tokens)}`]),
    facts.cost,
  ];
  if (facts.droppedAudioChunks) parts.push(`${facts.droppedAudioChunks} audio chunks dropped (network too slow)`);
  const lines = [`session ended: ${parts.join(own` · `)}`];
  if (facts.output) lines.push(`assistant audio written to ${facts.output}`);
  if (facts.record) lines.push(`recording written to ${facts.record} (conversation.wav, transcript.md, events.jsonl)`);
  return lines;
}
