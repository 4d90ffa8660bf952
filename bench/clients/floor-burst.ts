/**
 * The burst workload's article script: bench/article-floor.ts as a user runs it (its own
 * SoX recorder and player on the default devices), asking for the long answer once it is
 * connected. Bundled to plain JavaScript before it runs (bench/lib/bundle.ts), like kaiwa's
 * built CLI, so neither pays for a TypeScript loader.
 */
import { startArticleClient } from '../article-floor.js';

startArticleClient({
  url: process.env.OPENAI_REALTIME_URL ?? 'wss://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview-2024-10-01',
  apiKey: process.env.OPENAI_API_KEY ?? '',
  text: process.env.BENCH_TEXT, log: () => undefined,
});
