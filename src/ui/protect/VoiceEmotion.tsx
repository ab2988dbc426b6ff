/**
 * Emotion relative to the voice: on a voice the emotion model does not know, the emotion read from prosody (pitch,
 * range, level, tilt) against that voice's own habits, which other clips of the same speaker provide. The user says
 * which clips are by the same speaker; nothing is guessed. The accuracy it quotes is the one measured for that many
 * reference clips (public/models/cue-emotion.json, `npm run train:cue-emotion`).
 */
import { useState } from 'react';
import {
  accuracyFor,
  readCueEmotion,
  voiceReference,
  type CueEmotionModel,
  type CueEmotionReading,
  type ProsodyCues,
} from '../../core/cues/emotion';
import { ProbabilityBars } from '../shared/Charts';

export interface ReferenceCandidate {
  id: string;
  name: string;
  prosody: ProsodyCues;
}

export type VoiceEmotionView =
  /** A result stored before prosody was measured: protecting again measures it. */
  | { state: 'not-measured' }
  | { state: 'no-prosody' }
  | { state: 'needs-clips'; have: number; need: number }
  | {
      state: 'read';
      clips: number;
      original: CueEmotionReading;
      protected: CueEmotionReading | null;
      accuracy: CueEmotionModel['accuracy'][number] | null;
    };

/** What the block shows for a clip with these readings and reference clips (the clip itself counts as one). */
export function voiceEmotionView(
  model: CueEmotionModel,
  original: ProsodyCues | null | undefined,
  protectedCues: ProsodyCues | null | undefined,
  others: readonly ProsodyCues[],
): VoiceEmotionView {
  if (original === undefined) return { state: 'not-measured' };
  if (original === null) return { state: 'no-prosody' };
  const clips = [original, ...others];
  if (clips.length < model.minClips) return { state: 'needs-clips', have: clips.length, need: model.minClips };
  const ref = voiceReference(model, clips);
  return {
    state: 'read',
    clips: clips.length,
    original: readCueEmotion(model, original, ref),
    // The protected clip is read against the same voice's reference: did the protection move its prosody?
    protected: protectedCues ? readCueEmotion(model, protectedCues, ref) : null,
    accuracy: accuracyFor(model, clips.length),
  };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

export function VoiceEmotionBlock({
  model,
  clipId,
  knownVoice,
  original,
  protectedCues,
  candidates,
}: {
  model: CueEmotionModel;
  clipId: string;
  /**
   * The emotion model knows voices like this one: this reading is then a second opinion, folded away. A voice the
   * model knows can still be one it reads badly (the out-of-domain check lets through some unknown voices).
   */
  knownVoice: boolean;
  original: ProsodyCues | null | undefined;
  protectedCues: ProsodyCues | null | undefined;
  /** Other clips with a prosody reading, which the user may mark as the same speaker. */
  candidates: readonly ReferenceCandidate[];
}) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const others = candidates.filter((c) => c.id !== clipId);
  const view = voiceEmotionView(
    model,
    original,
    protectedCues,
    others.filter((c) => chosen.has(c.id)).map((c) => c.prosody),
  );
  const toggle = (id: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const testWa = typeof model.provenance.testWa === 'number' ? model.provenance.testWa.toFixed(0) : null;
  const content = (
    <>
      <p className="hint">
        {knownVoice
          ? `The emotion model above knows voices like this one; this is a second opinion, worth a look if you doubt ` +
            `that it does${testWa ? ` (on new sentences of the known voices it was right ${testWa} % of the time)` : ''}. `
          : 'The emotion model does not know this voice, but '}
        {knownVoice ? 'Emotion' : 'emotion'} also shows in how pitch, its range, loudness and brightness move against
        the speaker&apos;s own habits. Other clips by the same speaker show those habits: tick them below (any emotion;
        a clip is offered once it has been protected, which measures its prosody).
      </p>
      {view.state === 'not-measured' && (
        <p className="muted small" data-testid="voice-emotion-none">
          This result was stored before the app measured prosody: press Protect again to read the emotion this way.
        </p>
      )}
      {view.state === 'no-prosody' && (
        <p className="muted small" data-testid="voice-emotion-none">
          This clip has too little voiced speech to measure its prosody.
        </p>
      )}
      {others.length > 0 && view.state !== 'no-prosody' && view.state !== 'not-measured' && (
        <fieldset className="voice-emotion-refs">
          <legend>Same speaker as this clip</legend>
          {others.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={chosen.has(c.id)}
                onChange={() => toggle(c.id)}
                data-testid="voice-ref"
                data-clip={c.id}
              />{' '}
              {c.name}
            </label>
          ))}
        </fieldset>
      )}
      {view.state === 'needs-clips' && (
        <p className="muted small" data-testid="voice-emotion-needs">
          Mark {view.need - view.have} more clip{view.need - view.have === 1 ? '' : 's'} of this speaker ({view.have} of{' '}
          {view.need}) to read the emotion this way. With fewer, the reference is mostly the emotions those few clips
          happen to carry, and the reading was right less often than reading one clip alone.
        </p>
      )}
      {view.state === 'read' && (
        <>
          <div className="voice-emotion-readings">
            <ProbabilityBars
              labels={model.emotions}
              probabilities={view.original.probs}
              title="Original"
              testId="voice-emotion-original"
            />
            {view.protected && (
              <ProbabilityBars
                labels={model.emotions}
                probabilities={view.protected.probs}
                title="Protected"
                testId="voice-emotion-protected"
              />
            )}
          </div>
          {view.protected && (
            <p
              className={`verdict ${view.protected.emotion === view.original.emotion ? 'ok' : 'warn'}`}
              data-testid="voice-emotion-verdict"
            >
              {view.protected.emotion === view.original.emotion
                ? `Read the same before and after protection: ${view.original.emotion}.`
                : `Read differently after protection: ${view.original.emotion} → ${view.protected.emotion}.`}
            </p>
          )}
          <p className="muted small" data-testid="voice-emotion-accuracy">
            Reference: {view.clips} clips of this speaker.{' '}
            {view.accuracy
              ? `Measured with ${view.accuracy.clips} reference clips: right ${pct(view.accuracy.val)} of the time on new ` +
                `sentences of the synthetic voices it was fitted on, ${pct(view.accuracy.testSpeaker)} on a synthetic ` +
                `voice it never saw (chance 25 %). Never measured on human emotional speech: a reading, not a fact.`
              : 'No measurement for so few reference clips.'}
          </p>
        </>
      )}
    </>
  );
  return (
    <section
      className="cues-block voice-emotion"
      data-testid="voice-emotion"
      data-state={view.state}
      data-known-voice={String(knownVoice)}
      aria-label="Emotion relative to this voice"
    >
      {knownVoice ? (
        <details data-testid="voice-emotion-details">
          <summary className="probs-title">Also read the emotion relative to this voice (from prosody)</summary>
          {content}
        </details>
      ) : (
        <>
          <h3 className="probs-title">Emotion relative to this voice (from prosody)</h3>
          {content}
        </>
      )}
    </section>
  );
}
