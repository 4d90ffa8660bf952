"""kaiwa serve's streaming recognizer: pocketsphinx decoders fed while the user speaks,
so a turn's words are known moments after it ends instead of a whole decoding later.

Debian's python3-pocketsphinx is the only library with pocketsphinx's incremental API
(start_utt / process_raw / end_utt); the command-line tools decode whole files only.

stdin carries frames: op (1 byte), utterance id (uint32 LE), payload length (uint32 LE),
payload. Ops:
  S  start a segment (a new id takes a warm decoder from the pool); the payload 'fast'
     asks for the fast search (audio arriving faster than the full search decodes)
  A  16 kHz mono PCM16 audio for the id's open segment
  E  end the segment: prints {"id": id, "text": hypothesis, "fast": whether the fast search decoded it}
  R  release the id's decoder to the pool (an open segment is dropped unheard)
Arguments: acoustic model directory, language model, dictionary.
stdout gets one JSON object per line: {"ready": true} once the model is loaded, results,
{"id": id, "segment": n, "partial": hypothesis} while a segment is decoded (the id's n-th
segment, counted from 1: its words so far, which may still change), and
{"id": id, "error": message} when a segment fails. End of stdin ends the process.
"""
import json
import select
import struct
import sys

from pocketsphinx import Decoder

HEADER = struct.Struct('<cII')


# The fast search, measured on the tests' 12 sentences (warm decoder, CPU time per second
# of audio): 0.14-0.18 s against 0.24 s for the full search, with no second pass at the end
# of a segment (the flat-lexicon pass, 0.06 s per second of audio), which is what a client
# that streamed its audio faster than real time waits for after its commit. Word errors
# were no worse on those sentences, but rose from 31 % to 47-60 % on the offline round trip's
# longer, real-time turns, so only audio that arrives fast gets it.
FAST_SEARCH = 'fast'
FULL_SEARCH = '_default'

# A segment's words so far (the first pass's best path, hyp() mid-utterance) are told
# after every 300 ms of its audio when they changed, so a client hears the user's words
# while they speak. Measured on the tests' 12 sentences: 0.04 ms a call, about 0.013 %
# of the audio's duration, lost in the noise of the decoding itself (0.23-0.31 s a second).
PARTIAL_EVERY_BYTES = 16000 * 2 * 300 // 1000


def new_decoder(model):
    acoustic_model, language_model, dictionary = model
    config = Decoder.default_config()
    config.set_string('-hmm', acoustic_model)
    config.set_string('-lm', language_model)
    config.set_string('-dict', dictionary)
    config.set_string('-logfn', '/dev/null')
    return Decoder(config)


# A decoder adapts its cepstral mean to the voice only at the end of an utterance, so its
# first one decodes badly (62 % word errors against 33 % on the tests' voice). A cold
# decoder's first segment is therefore decoded again once it has adapted: the first turn
# costs a second pass (about 0.2x its length), every later one is ready at once.
MIN_ADAPTING_BYTES = 16000 * 2  # a second of audio


def add_fast_search(decoder, language_model):
    # A second search on the same decoder shares its acoustic model and the cepstral mean
    # it adapted to the speaker. It reads its settings from the decoder's config when it
    # is built, so they are changed for that moment only.
    config = decoder.get_config()
    config.set_boolean('-fwdflat', False)
    config.set_int('-maxhmmpf', 5000)
    decoder.set_lm_file(FAST_SEARCH, language_model)
    config.set_boolean('-fwdflat', True)
    config.set_int('-maxhmmpf', 30000)
    decoder.set_search(FULL_SEARCH)


class Slot:
    def __init__(self, decoder):
        self.decoder = decoder
        self.warm = False
        self.has_fast_search = False
        self.audio = bytearray()
        self.segment = 0
        self.unreported_bytes = 0
        self.last_partial = ''

    def add_fast_search(self, language_model):
        if not self.has_fast_search:
            add_fast_search(self.decoder, language_model)
            self.has_fast_search = True

    def start_utt(self, fast, language_model):
        if fast:
            self.add_fast_search(language_model)
        if self.has_fast_search:
            self.decoder.set_search(FAST_SEARCH if fast else FULL_SEARCH)
        self.start_growable_utt()
        self.segment += 1
        self.unreported_bytes = 0
        self.last_partial = ''

    def partial(self, audio_bytes):
        """The segment's words so far, when enough audio came since the last report and they changed."""
        self.unreported_bytes += audio_bytes
        if self.unreported_bytes < PARTIAL_EVERY_BYTES:
            return None
        self.unreported_bytes = 0
        hypothesis = self.decoder.hyp()
        words = hypothesis.hypstr if hypothesis is not None else ''
        if words == self.last_partial:
            return None
        self.last_partial = words
        return words

    def start_growable_utt(self):
        self.decoder.start_utt()
        # Building the fast search left the feature buffer fixed in size, but the full
        # search's second pass rereads the whole utterance: processing no audio without
        # searching makes the buffer growable again.
        self.decoder.process_raw(b'', True, False)


class Recognizer:
    def __init__(self, model):
        self.model = model
        # Decoders are reused, not rebuilt: loading one takes 0.25 s, and a used one has
        # adapted to the speaker.
        self.pool = [Slot(new_decoder(model))]
        self.active = {}
        self.open = set()
        # A segment whose audio failed reports the failure when it ends, not silence.
        self.failed = {}

    def start(self, uid, fast):
        slot = self.active.get(uid)
        if slot is None:
            slot = self.pool.pop() if self.pool else Slot(new_decoder(self.model))
            slot.segment = 0
            self.active[uid] = slot
        if uid in self.open:
            slot.decoder.end_utt()
        self.failed.pop(uid, None)
        slot.audio = bytearray()
        slot.start_utt(fast, self.model[1])
        self.open.add(uid)

    def audio(self, uid, payload):
        """Decodes the audio; returns the segment's number and its words so far when they are worth telling."""
        if uid not in self.open:
            return None
        slot = self.active[uid]
        if not slot.warm:
            slot.audio += payload
        slot.decoder.process_raw(payload, False, False)
        words = slot.partial(len(payload))
        return None if words is None else (slot.segment, words)

    def end(self, uid):
        """The segment's words, and the search that decoded them."""
        if uid in self.failed:
            raise RuntimeError(self.failed.pop(uid))
        if uid not in self.open:
            return '', None
        self.open.discard(uid)
        slot = self.active[uid]
        slot.decoder.end_utt()
        if not slot.warm and len(slot.audio) >= MIN_ADAPTING_BYTES:
            slot.warm = True
            slot.start_growable_utt()
            slot.decoder.process_raw(bytes(slot.audio), False, False)
            slot.decoder.end_utt()
        slot.audio = bytearray()
        hypothesis = slot.decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else '', slot.decoder.get_search()

    def release(self, uid):
        self.failed.pop(uid, None)
        slot = self.active.pop(uid, None)
        if slot is None:
            return
        if uid in self.open:
            self.open.discard(uid)
            slot.decoder.end_utt()
        slot.audio = bytearray()
        self.pool.append(slot)


def say(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def serve(recognizer, stream):
    while True:
        header = stream.read(HEADER.size)
        if len(header) < HEADER.size:
            return
        op, uid, length = HEADER.unpack(header)
        payload = stream.read(length) if length else b''
        try:
            if op == b'S':
                recognizer.start(uid, payload == b'fast')
            elif op == b'A':
                partial = recognizer.audio(uid, payload)
                if partial is not None:
                    say({'id': uid, 'segment': partial[0], 'partial': partial[1]})
            elif op == b'E':
                text, search = recognizer.end(uid)
                say({'id': uid, 'text': text, 'fast': search == FAST_SEARCH})
            elif op == b'R':
                recognizer.release(uid)
        except Exception as error:  # one bad utterance must not end the others
            recognizer.open.discard(uid)
            if op == b'E':
                say({'id': uid, 'error': str(error)})
            else:
                recognizer.failed[uid] = str(error)


def main():
    recognizer = Recognizer(sys.argv[1:4])
    say({'ready': True})
    # An app that streams a file usually does so in its first turn, right after the server
    # started: the fast search (0.4-0.7 s to build) is built now, while nothing is asked,
    # rather than when that turn needs it.
    idle, _, _ = select.select([sys.stdin], [], [], 0)
    if not idle:
        recognizer.pool[0].add_fast_search(recognizer.model[1])
    serve(recognizer, sys.stdin.buffer)


if __name__ == '__main__':
    main()
