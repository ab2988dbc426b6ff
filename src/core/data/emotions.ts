/** The four classes of the paper, in the index order used by every model, metric and file in the project. */
export const EMOTIONS = ['neutral', 'sad', 'happy', 'angry'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export function isEmotion(x: unknown): x is Emotion {
  return typeof x === 'string' && (EMOTIONS as readonly string[]).includes(x);
}

export function emotionIndex(e: Emotion): number {
  return EMOTIONS.indexOf(e);
}

/**
 * Maps a label as found in the wild (IEMOCAP codes, full words, common synonyms) to one of the four classes, or null
 * when the label is a real emotion outside the four (IEMOCAP's fru, sur, fea, dis, oth, xxx). IEMOCAP merges
 * excitement into happy, as in the paper.
 */
export function mapEmotionLabel(label: string): Emotion | null {
  const l = label.trim().toLowerCase();
  switch (l) {
    case 'neu':
    case 'neutral':
    case 'n':
      return 'neutral';
    case 'sad':
    case 'sadness':
    case 's':
      return 'sad';
    case 'hap':
    case 'happy':
    case 'happiness':
    case 'joy':
    case 'exc':
    case 'excited':
    case 'excitement':
    case 'h':
      return 'happy';
    case 'ang':
    case 'angry':
    case 'anger':
    case 'a':
      return 'angry';
    default:
      return null;
  }
}
