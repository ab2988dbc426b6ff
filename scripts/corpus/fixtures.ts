/**
 * Writes the committed test fixtures (run once; output is committed under tests/fixtures/):
 *   tests/fixtures/iemocap/    three fake sessions in the IEMOCAP release layout, with deliberate defects
 *   tests/fixtures/manifest/   a generic CSV manifest next to a folder of clips, with deliberate defects
 * Audio is tiny synthetic tones (0.1–0.25 s) so the fixtures stay a few kilobytes.
 *
 *   npx tsx scripts/corpus/fixtures.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeWav } from '../../src/core/audio';

const ROOT = 'tests/fixtures';

function tone(seconds: number, hz: number, sampleRate = 16000): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return x;
}

/** 16-bit stereo WAV at an arbitrary rate (encodeWav writes mono; the loaders must cope with stereo 44.1 kHz too). */
function stereoWav(x: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + x.length * 4);
  const v = new DataView(out.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((c, i) => (out[o + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + x.length * 4, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, x.length * 4, true);
  for (let i = 0; i < x.length; i++) {
    const s = Math.round(x[i]! * 32767);
    v.setInt16(44 + i * 4, s, true);
    v.setInt16(46 + i * 4, s, true);
  }
  return out;
}

function write(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

interface Utt {
  id: string;
  label: string;
  text?: string;
  audio?: 'ok' | 'none' | 'corrupt' | 'stereo44k';
}

function session(
  root: string,
  n: number,
  dialogs: Record<string, Utt[]>,
  opts: { noLabels?: string[]; noTranscripts?: string[] } = {},
) {
  const s = join(root, `Session${n}`);
  let k = 0;
  for (const [dialog, utts] of Object.entries(dialogs)) {
    let t = 1.5;
    const labelLines = ['% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]', ''];
    const transLines: string[] = [];
    for (const u of utts) {
      const start = t.toFixed(4);
      const end = (t + 1.2).toFixed(4);
      t += 2;
      labelLines.push(`[${start} - ${end}]\t${u.id}\t${u.label}\t[2.5000, 3.0000, 2.5000]`);
      labelLines.push(`C-E1:\tNeutral;\t()`, `C-E2:\tOther;\t()`, `A-E1:\tval 3; act 3; dom  3;\t()`, '');
      if (u.text !== undefined)
        transLines.push(`${u.id} [${start.padStart(8, '0')}-${end.padStart(8, '0')}]: ${u.text}`);
      const wav = join(s, 'sentences', 'wav', dialog, `${u.id}.wav`);
      const audio = u.audio ?? 'ok';
      if (audio === 'ok') write(wav, encodeWav(tone(0.1 + 0.05 * (k++ % 4), 110 + 20 * k), 16000));
      else if (audio === 'stereo44k') write(wav, stereoWav(tone(0.12, 220, 44100), 44100));
      else if (audio === 'corrupt') write(wav, 'this is not audio\n');
    }
    if (!opts.noLabels?.includes(dialog))
      write(join(s, 'dialog', 'EmoEvaluation', `${dialog}.txt`), labelLines.join('\n') + '\n');
    if (!opts.noTranscripts?.includes(dialog)) {
      // Real files also carry turns that are not clips (overlaps marked MXX, speaker-only lines).
      transLines.push(`${dialog.slice(0, 6)}_XX [000.0000-000.5000]: [BREATHING]`);
      write(join(s, 'dialog', 'transcriptions', `${dialog}.txt`), transLines.join('\r\n') + '\r\n');
    }
  }
}

function iemocap(): void {
  const root = join(ROOT, 'iemocap', 'IEMOCAP_full_release');
  rmSync(join(ROOT, 'iemocap'), { recursive: true, force: true });
  session(
    root,
    1,
    {
      Ses01F_impro01: [
        { id: 'Ses01F_impro01_F000', label: 'neu', text: 'Excuse me.' },
        { id: 'Ses01F_impro01_M000', label: 'fru', text: 'Do you have your forms?' },
        { id: 'Ses01F_impro01_F001', label: 'exc', text: "Yeah, I've got them [LAUGHTER] right here." },
        { id: 'Ses01F_impro01_M001', label: 'ang', text: 'Then why are you in THIS line?' },
        { id: 'Ses01F_impro01_F002', label: 'sad', text: "I didn't know." },
        { id: 'Ses01F_impro01_M002', label: 'hap', text: 'Okay, no problem -- next window.' },
        { id: 'Ses01F_impro01_F003', label: 'neu', text: 'Thanks.', audio: 'none' },
        { id: 'Ses01F_impro01_M003', label: 'zzz', text: 'Bye.' },
      ],
      // Audio and transcripts but no EmoEvaluation file.
      Ses01M_script01_1: [
        { id: 'Ses01M_script01_1_F000', label: 'neu', text: 'What is this?' },
        { id: 'Ses01M_script01_1_M000', label: 'ang', text: 'Nothing.' },
      ],
    },
    { noLabels: ['Ses01M_script01_1'] },
  );
  session(
    root,
    2,
    {
      Ses02F_impro02: [
        { id: 'Ses02F_impro02_F000', label: 'sad', text: 'He is gone.' },
        { id: 'Ses02F_impro02_M000', label: 'neu', text: 'I know.', audio: 'stereo44k' },
        { id: 'Ses02F_impro02_F001', label: 'ang', text: 'You never listen!', audio: 'corrupt' },
        { id: 'Ses02F_impro02_M001', label: 'xxx', text: 'Hmm.' },
      ],
      // No transcription file: clips are kept for emotion with text null.
      Ses02M_impro03: [
        { id: 'Ses02M_impro03_F000', label: 'hap' },
        { id: 'Ses02M_impro03_M000', label: 'exc' },
      ],
    },
    { noTranscripts: ['Ses02M_impro03'] },
  );
  session(root, 3, {
    Ses03F_impro01: [
      { id: 'Ses03F_impro01_F000', label: 'neu', text: 'Good morning.' },
      { id: 'Ses03F_impro01_M000', label: 'sad', text: 'Is it?' },
      { id: 'Ses03F_impro01_F001', label: 'sur', text: 'Oh!' },
    ],
  });
  // A transcript for a dialog that has neither labels nor audio.
  write(
    join(root, 'Session3', 'dialog', 'transcriptions', 'Ses03M_script02_1.txt'),
    'Ses03M_script02_1_F000 [001.0000-002.0000]: Where is the audio?\n',
  );
  // OS junk that must be ignored.
  write(join(root, 'Session1', 'dialog', 'EmoEvaluation', '._Ses01F_impro01.txt'), '\u0000\u0005junk');
}

function manifest(): void {
  const root = join(ROOT, 'manifest');
  rmSync(root, { recursive: true, force: true });
  const rows = [
    ['path', 'text', 'emotion', 'speaker', 'split'],
    ['audio/a1.wav', 'Hello there, friend.', 'neutral', 'spk1', 'train'],
    ['audio/a2.wav', 'She said "no", twice', 'Sad', 'spk1', 'train'],
    ['audio/a3.wav', 'What a day!', 'joy', 'spk2', 'val'],
    ['audio/sub/a4.wav', 'Get out.', 'ang', 'spk2', 'test'],
    ['audio/a5.wav', 'I am not sure.', 'confused', 'spk3', 'train'],
    ['audio/missing.wav', 'Nobody recorded this.', 'neutral', 'spk3', 'train'],
    ['', 'No path at all.', 'neutral', 'spk3', 'train'],
    ['audio/a6.wav', '', 'excited', 'spk3', 'test'],
    ['audio/broken.wav', 'Broken file.', 'neutral', 'spk3', 'train'],
  ];
  const cell = (c: string) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  write(join(root, 'manifest.csv'), rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n');
  const ok = ['a1', 'a2', 'a3', 'sub/a4', 'a5', 'a6'];
  ok.forEach((n, i) => write(join(root, 'audio', `${n}.wav`), encodeWav(tone(0.1, 150 + 30 * i), 16000)));
  write(join(root, 'audio', 'broken.wav'), encodeWav(tone(0.1, 100), 16000).slice(0, 30));
  // The same set as JSONL, for the JSONL parser.
  const jsonl = [
    { path: 'audio/a1.wav', text: 'Hello there, friend.', emotion: 'neutral', speaker: 'spk1' },
    { file: 'audio/a3.wav', transcript: 'What a day!', label: 'happy', speaker: 'spk2', extra: 42 },
    'not json',
    { path: 'audio/sub/a4.wav', text: 'Get out.', emotion: 'angry' },
  ];
  write(
    join(root, 'jsonl', 'metadata.jsonl'),
    jsonl.map((r) => (typeof r === 'string' ? r : JSON.stringify(r).replace(/audio\//g, '../audio/'))).join('\n') +
      '\n',
  );
}

iemocap();
manifest();
console.log('fixtures written under', ROOT);
