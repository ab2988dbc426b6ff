import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_MESSAGES, MESSAGE_TTL_MS, useAppStore } from './store';

const initial = useAppStore.getState();

beforeEach(() => {
  vi.useFakeTimers();
  useAppStore.setState(initial, true);
});
afterEach(() => vi.useRealTimers());

const texts = () => useAppStore.getState().messages.map((m) => m.text);

describe('messages', () => {
  it('keeps one message per cause, and one per text for uncoded ones', () => {
    const { notify } = useAppStore.getState();
    notify('error', 'Could not open A', 'dataset:open');
    notify('error', 'Could not open B', 'dataset:open');
    notify('error', 'Disk on fire');
    notify('error', 'Disk on fire');
    notify('error', 'Something else');
    expect(texts()).toEqual(['Could not open B', 'Disk on fire', 'Something else']);
  });

  it(`caps the stack at ${MAX_MESSAGES}, dropping the oldest non-errors first`, () => {
    const { notify } = useAppStore.getState();
    notify('error', 'e1', 'c1');
    notify('warning', 'w1', 'c2');
    notify('error', 'e2', 'c3');
    notify('info', 'i1', 'c4');
    notify('error', 'e3', 'c5');
    notify('error', 'e4', 'c6');
    expect(useAppStore.getState().messages).toHaveLength(MAX_MESSAGES);
    expect(texts()).toEqual(['e1', 'e2', 'e3', 'e4']);
    notify('error', 'e5', 'c7');
    expect(texts()).toEqual(['e2', 'e3', 'e4', 'e5']);
  });

  it('dismisses info and warnings on their own; errors stay', () => {
    const { notify } = useAppStore.getState();
    notify('info', 'saved', 'a');
    notify('warning', 'careful', 'b');
    notify('error', 'broken', 'c');
    vi.advanceTimersByTime(MESSAGE_TTL_MS.info! + 1);
    expect(texts()).toEqual(['careful', 'broken']);
    vi.advanceTimersByTime(MESSAGE_TTL_MS.warning!);
    expect(texts()).toEqual(['broken']);
    vi.advanceTimersByTime(10 * 60_000);
    expect(texts()).toEqual(['broken']);
  });

  it('a replaced message is not dismissed early by the old one’s timer', () => {
    const { notify } = useAppStore.getState();
    notify('info', 'first', 'x');
    vi.advanceTimersByTime(MESSAGE_TTL_MS.info! - 100);
    notify('info', 'second', 'x');
    vi.advanceTimersByTime(200);
    expect(texts()).toEqual(['second']);
  });
});

describe('protection queue', () => {
  it('lives in the store, and removing a clip takes it out of the queue', () => {
    const { addClip } = useAppStore.getState();
    const a = addClip({ name: 'a', samples: new Float32Array(16000), source: 'file', detail: '' });
    const b = addClip({ name: 'b', samples: new Float32Array(16000), source: 'file', detail: '' });
    useAppStore.setState({ protectQueue: [a.id, b.id] });
    useAppStore.getState().removeClip(a.id);
    expect(useAppStore.getState().protectQueue).toEqual([b.id]);
  });
});
