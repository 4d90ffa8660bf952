/** The built-in voices the SDK's `RealtimeAudioConfigOutput.voice` names. */
export const BUILT_IN_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

/** A custom voice is referred to by its id (`{ "id": "voice_1234" }` in the session). */
const CUSTOM_VOICE_ID = /^voice_[A-Za-z0-9_-]+$/;

export function isBuiltInVoice(name: string): boolean {
  return (BUILT_IN_VOICES as readonly string[]).includes(name);
}

export function isCustomVoiceId(name: string): boolean {
  return CUSTOM_VOICE_ID.test(name);
}
