/** Everyday English sentences for recognition tests: no digits or names the dictionary lacks. */
export const TEST_SENTENCES = [
  'the quick brown fox jumps over the lazy dog',
  'please call stella and ask her to bring these things from the store',
  'it is going to rain tomorrow afternoon',
  'i would like a cup of coffee with milk',
  'turn left at the next traffic light',
  'where is the nearest train station',
  'the meeting has been moved to next monday',
  'can you tell me what time it is',
  'she sells sea shells by the sea shore',
  'we need to buy some bread and butter',
  'the weather today is cold and windy',
  'how much does this book cost',
];
