import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideExit, type RunSituation } from '../../src/cli/exit-decision.js';

const quiet: RunSituation = { once: false, stdinClosed: false, budgetStopped: false, inputEnded: false, responseInFlight: false };
const done = (status: 'completed' | 'cancelled' | 'failed' | 'incomplete', toolsWillAnswer = false, answersRequest = true): RunSituation['finished'] => ({ status, toolsWillAnswer, answersRequest });

const table: Array<[string, Partial<RunSituation>, number | 'go on']> = [
  ['a live conversation goes on after an answer', { finished: done('completed') }, 'go on'],
  ['a live conversation goes on when nothing happened', {}, 'go on'],
  ['--once: a completed answer exits 0', { once: true, finished: done('completed') }, 0],
  ['--once: an incomplete answer exits 3', { once: true, finished: done('incomplete') }, 3],
  ['--once: someone else\'s response is not the answer', { once: true, finished: done('completed', false, false) }, 'go on'],
  ['--once: a refused request exits 1 at once', { once: true, unanswered: true, responseInFlight: true }, 1],
  ['a refused request in a live conversation goes on', { unanswered: true }, 'go on'],
  ['a refused request after stdin closed ends it, with 1: not every line was answered', { unanswered: true, someUnanswered: true, stdinClosed: true, inputEnded: true }, 1],
  ['stdin closed after an earlier line went unanswered: the last answer ends it with 1', { someUnanswered: true, stdinClosed: true, inputEnded: true, finished: done('completed') }, 1],
  ['the budget reached after an unanswered line still ends it with 0 (it was the limit)', { someUnanswered: true, budgetStopped: true }, 0],
  ['--once: a failed answer exits 1', { once: true, finished: done('failed') }, 1],
  ['--once: a cancelled answer exits 1', { once: true, finished: done('cancelled') }, 1],
  ['--once: an answer that called tools waits for the one using their results', { once: true, finished: done('completed', true) }, 'go on'],
  ['--once: stdin closing does not end it before the answer', { once: true, stdinClosed: true, inputEnded: true }, 'go on'],
  ['--once: the budget does not end it before the answer', { once: true, budgetStopped: true }, 'go on'],
  ['budget reached, nothing in flight: exit 0', { budgetStopped: true }, 0],
  ['budget reached, a response under way finishes first', { budgetStopped: true, responseInFlight: true }, 'go on'],
  ['budget reached, at the end of the last response: exit 0', { budgetStopped: true, finished: done('completed') }, 0],
  ['stdin closed, no audio input, nothing in flight: exit 0', { stdinClosed: true, inputEnded: true }, 0],
  ['stdin closed while an answer is under way: go on', { stdinClosed: true, inputEnded: true, responseInFlight: true }, 'go on'],
  ['stdin closed, then the last answer done: exit 0', { stdinClosed: true, inputEnded: true, finished: done('completed') }, 0],
  ['the input ended while the server owes the answer to the turn it closed last: go on', { stdinClosed: true, inputEnded: true, turnAnswerOwed: true }, 'go on'],
  ['the input ended, an answer cut off by the last turn is done, that turn\'s answer not begun: go on', { stdinClosed: true, inputEnded: true, turnAnswerOwed: true, finished: done('cancelled') }, 'go on'],
  ['the input ended after an unanswered line, a turn still owed its answer: go on', { someUnanswered: true, stdinClosed: true, inputEnded: true, turnAnswerOwed: true }, 'go on'],
  ['budget reached while a turn is owed its answer: exit 0 (no answer is waited for that was not under way)', { budgetStopped: true, turnAnswerOwed: true }, 0],
  ['--once: a turn owed its answer does not keep the one asked for from ending it', { once: true, turnAnswerOwed: true, finished: done('completed') }, 0],
  ['stdin closed but a microphone still listens: go on', { stdinClosed: true, inputEnded: false }, 'go on'],
  ['tool calls keep the session when stdin is closed', { stdinClosed: true, inputEnded: true, finished: done('completed', true) }, 'go on'],
  ['no input left but stdin still open: go on', { inputEnded: true }, 'go on'],
  ['a piped line refused after earlier ones were sent: their answers come first', { inputRefused: true, stdinClosed: true, inputEnded: true, responseInFlight: true }, 'go on'],
  ['a piped line refused, the last earlier answer done: exit 2', { inputRefused: true, stdinClosed: true, inputEnded: true, finished: done('completed') }, 2],
  ['a piped line refused while a microphone still listens: exit 2 once nothing is in flight', { inputRefused: true, stdinClosed: true, inputEnded: false }, 2],
];

for (const [name, situation, expected] of table) {
  test(`exit decision: ${name}`, () => {
    const decision = decideExit({ ...quiet, ...situation });
    if (expected === 'go on') assert.deepEqual(decision, { exit: false });
    else assert.deepEqual(decision, { exit: true, code: expected });
  });
}
