/** `npm run corpus -- --inspect DIR`: the shared dataset loader from Node, on any supported folder. */
import { decodeEntry, formatReport, loadDataset, summarize } from '../../src/core/data';
import { nodeDirectorySource } from '../../src/core/data/node-source';

export async function inspectDataset(dir: string, decodeCount: number): Promise<void> {
  const t0 = Date.now();
  const index = await loadDataset(nodeDirectorySource(dir));
  const s = summarize(index.entries);
  console.log(`${index.name}: ${index.format}, indexed in ${Date.now() - t0} ms`);
  console.log(formatReport(index.report));
  console.log(`hours: ${s.hours === null ? 'unknown' : s.hours.toFixed(2)}`);
  console.log('by emotion:', s.byEmotion);
  console.log('by split/fold:', s.bySplit);
  console.log('speakers:', Object.keys(s.bySpeaker).length, s.bySpeaker);
  for (const e of index.entries.slice(0, decodeCount)) {
    const x = await decodeEntry(e);
    console.log(`decoded ${e.id}: ${x.length} samples @16 kHz, ${e.emotion}, "${e.text ?? ''}"`);
  }
}
