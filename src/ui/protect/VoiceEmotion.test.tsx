// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fitCueEmotion, voiceBaseline, type CueEmotionRow, type ProsodyCues } from '../../core/cues/emotion';
import { EMOTIONS, type Emotion } from '../../core/data/emotions';
import { VoiceEmotionBlock, voiceEmotionView } from './VoiceEmotion';

afterEach(cleanup);

const SHIFT: Record<Emotion, number> = { neutral: 0, sad: -3, happy: 3, angry: 1.5 };
const cues = (baseSt: number, e: Emotion, level = -25): ProsodyCues => ({
  f0St: baseSt + SHIFT[e],
  f0RangeSt: 4,
  levelDb: level + (e === 'angry' ? 6 : e === 'sad' ? -4 : 0),
  tiltDb: -10,
  rate: 4,
});

function model() {
  const rows: CueEmotionRow[] = [10, 20].flatMap((base) => {
    const voice = EMOTIONS.flatMap((e) => [cues(base, e), cues(base + 0.2, e)]);
    const baseline = voiceBaseline(voice);
    return EMOTIONS.flatMap((e) => [cues(base, e), cues(base + 0.2, e)]).map((c, i) => ({
      cues: c,
      baseline,
      emotion: EMOTIONS[Math.floor(i / 2)]!,
    }));
  });
  return fitCueEmotion(rows, ['f0St', 'levelDb'], {
    minClips: 4,
    priorClips: 0,
    accuracy: [
      { clips: 0, val: 0.41, testSpeaker: 0.72 },
      { clips: 3, val: 0.59, testSpeaker: 0.65 },
      { clips: 5, val: 0.63, testSpeaker: 0.68 },
    ],
  });
}

// A voice neither fitted voice has (base 30 st), angry in the clip read, the others its other emotions.
const clip = cues(30, 'angry', -40);
const others = (['neutral', 'sad', 'happy'] as const).map((e, i) => ({
  id: `c${i}`,
  name: `clip-${e}.wav`,
  prosody: cues(30, e, -40),
}));

describe('voiceEmotionView', () => {
  it('asks for clips until the model’s minimum, then reads against the voice', () => {
    const m = model();
    expect(voiceEmotionView(m, null, null, [])).toEqual({ state: 'no-prosody' });
    expect(voiceEmotionView(m, undefined, null, [])).toEqual({ state: 'not-measured' });
    expect(voiceEmotionView(m, clip, null, [others[0]!.prosody])).toEqual({ state: 'needs-clips', have: 2, need: 4 });
    const v = voiceEmotionView(
      m,
      clip,
      clip,
      others.map((o) => o.prosody),
    );
    if (v.state !== 'read') throw new Error(v.state);
    expect(v.clips).toBe(4);
    expect(v.original.emotion).toBe('angry');
    expect(v.protected!.emotion).toBe('angry');
    expect(v.accuracy!.clips).toBe(3);
  });
});

describe('VoiceEmotionBlock', () => {
  it('reads only after the user marks enough clips of the same speaker, and quotes the measured accuracy', () => {
    render(
      <VoiceEmotionBlock
        model={model()}
        clipId="me"
        knownVoice={false}
        original={clip}
        protectedCues={{ ...clip, f0St: clip.f0St - 4.5, levelDb: clip.levelDb - 10 }}
        candidates={[{ id: 'me', name: 'me.wav', prosody: clip }, ...others]}
      />,
    );
    const block = screen.getByTestId('voice-emotion');
    expect(block.dataset.state).toBe('needs-clips');
    expect(screen.getByTestId('voice-emotion-needs').textContent).toContain('Mark 3 more clips');
    // The clip itself is not offered as its own reference.
    const boxes = screen.getAllByTestId('voice-ref');
    expect(boxes.map((b) => b.dataset.clip)).toEqual(['c0', 'c1', 'c2']);
    for (const b of boxes) fireEvent.click(b);
    expect(block.dataset.state).toBe('read');
    expect(screen.getByTestId('voice-emotion-original').dataset.predicted).toBe('angry');
    // Lower and quieter against the same reference reads as another emotion, and the block says so.
    expect(screen.getByTestId('voice-emotion-protected').dataset.predicted).not.toBe('angry');
    expect(screen.getByTestId('voice-emotion-verdict').textContent).toMatch(
      /Read differently after protection: angry →/,
    );
    const acc = screen.getByTestId('voice-emotion-accuracy').textContent!;
    expect(acc).toContain('4 clips');
    expect(acc).toContain('59 %');
    expect(acc).toContain('65 %');
    expect(acc).toContain('a reading, not a fact');
    fireEvent.click(boxes[0]!);
    expect(block.dataset.state).toBe('needs-clips');
  });

  it('on a voice the emotion model knows, is a second opinion folded away', () => {
    render(
      <VoiceEmotionBlock
        model={{ ...model(), provenance: { testWa: 73.1 } }}
        clipId="me"
        knownVoice={true}
        original={clip}
        protectedCues={clip}
        candidates={others}
      />,
    );
    const details = screen.getByTestId('voice-emotion-details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')!.textContent).toContain('Also read the emotion relative to this voice');
    expect(details.textContent).toContain('second opinion');
    expect(details.textContent).toContain('right 73 % of the time');
    expect(screen.getByTestId('voice-emotion').dataset.knownVoice).toBe('true');
  });

  it('says when the clip has no voiced speech to measure', () => {
    render(
      <VoiceEmotionBlock
        model={model()}
        clipId="me"
        knownVoice={false}
        original={null}
        protectedCues={null}
        candidates={others}
      />,
    );
    expect(screen.getByTestId('voice-emotion').dataset.state).toBe('no-prosody');
    expect(screen.queryAllByTestId('voice-ref')).toHaveLength(0);
  });
});
