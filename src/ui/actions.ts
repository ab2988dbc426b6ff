/** UI actions that combine decoding, the store and messages, shared by the file picker, drag-and-drop and recorder. */
import { AudioInputError, decodeFile } from './audio/decode';
import { useAppStore, type Clip, type ClipSource } from './store';

/** Message codes for input problems start with this, so a successful load can clear stale ones. */
export const INPUT_CODE = 'input:';

function clearInputMessages() {
  const { messages, dismiss } = useAppStore.getState();
  for (const m of messages) if (m.code.startsWith(INPUT_CODE)) dismiss(m.id);
}

export function reportInputError(err: unknown, fallbackCode = 'failed') {
  const { notify } = useAppStore.getState();
  if (err instanceof AudioInputError) notify('error', err.message, INPUT_CODE + err.code);
  else
    notify(
      'error',
      `Something went wrong: ${err instanceof Error ? err.message : String(err)}`,
      INPUT_CODE + fallbackCode,
    );
}

/** Decodes and adds one file as a clip. On failure the library is untouched and the user gets a message. */
export async function addClipFromFile(
  file: File,
  source: ClipSource = 'file',
  name = file.name,
  extra: Pick<Partial<Clip>, 'label' | 'detail'> = {},
): Promise<boolean> {
  const { setBusy, addClip } = useAppStore.getState();
  setBusy(source === 'microphone' ? 'Processing the recording…' : `Decoding “${file.name}”…`);
  try {
    const { samples, detail } = await decodeFile(file);
    clearInputMessages();
    addClip({ name, samples, source, detail: source === 'microphone' ? 'Microphone recording' : detail, ...extra });
    return true;
  } catch (err) {
    reportInputError(err);
    return false;
  } finally {
    useAppStore.getState().setBusy(null);
  }
}

export async function addClipsFromFiles(files: Iterable<File>): Promise<void> {
  for (const file of files) await addClipFromFile(file);
}
