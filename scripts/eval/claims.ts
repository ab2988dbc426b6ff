/**
 * npm run eval:claims -- [--reports results/eval/external/report.json,...] [--out public/models/aclipse/claims.json]
 *
 * Writes what the shipped generator was measured to do against external attackers (from external reports) into the
 * file the app shows on Protect. Run it after `npm run eval -- --parts external` on the shipped generator. With
 * weights by budget (bands.json), run it once per weight folder (--out <folder>/claims.json): each keeps only the
 * rows made at budgets that its weights serve, because only those rows were measured with them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseBands, sameBand } from '../../src/core/bands';
import { claimsFromReport, type ClaimsFile, type ExternalReportLike } from '../../src/core/claims';
import { sha256OfFile } from '../../src/core/node/io';
import { argOr } from '../flags';

async function main(): Promise<void> {
  const reports = argOr(
    'reports',
    // the reports behind the shipped base weights' claims (README, "On real voices and recognizers it never saw")
    [
      'results/eval/shipped-cuehalf-10db-full/external/report.json',
      'results/eval/candidate-cuehalf-10db-pocketsphinx/external/report.json',
      'results/eval/candidate-cuehalf-bands/external/report.json',
      // the live stream (the Live card's claims)
      'results/eval/candidate-cuehalf-10db-live-60/external/report.json',
    ].join(','),
  )
    .split(',')
    .filter(Boolean);
  const out = argOr('out', 'public/models/aclipse/claims.json');
  // The reports measured the generator shipped now: the claims are bound to its weights, so new weights show none.
  const weightsSha256 = sha256OfFile(path.join(path.dirname(out), 'weights.bin'));
  const all = reports.flatMap((file) => {
    if (!existsSync(file))
      throw new Error(`no external report at ${file}: run \`npm run eval -- --parts external\` first`);
    const report = JSON.parse(readFileSync(file, 'utf8')) as ExternalReportLike;
    checkMeasuredWeights(file, report.command, path.dirname(out), weightsSha256);
    checkRecordedWeights(file, report, path.dirname(out), weightsSha256);
    return claimsFromReport(report, report.date ?? statSync(file).mtime.toISOString().slice(0, 10));
  });
  const claims = servedBy(path.dirname(out), all);
  if (claims.length < all.length)
    console.log(`kept ${claims.length} of ${all.length} claims: the others are at budgets other weights serve`);
  const body: ClaimsFile = { format: 'aclipse-claims/1', weightsSha256, claims };
  await writeFile(out, JSON.stringify(body, null, 1) + '\n');
  for (const c of claims) {
    console.log(
      `${c.attacker} on ${c.set} (${c.clips} clips${c.live ? ', live stream' : ''}) at ${c.budgetDb} dB: WER ${(100 * c.cleanWer).toFixed(1)} % → ${(100 * c.protectedWer).toFixed(1)} %, white noise at the same SNR ${(100 * c.noiseWer).toFixed(1)} %`,
    );
  }
  console.log(`wrote ${out} (${claims.length} claims)`);
}

/**
 * A report made with `--generator <folder>` measured the weights in that folder. When it is not the folder the claims
 * are written for (nor the generator whose band that is), its weights must be byte for byte the ones the claims are
 * bound to: a candidate's report, say, read before the candidate was copied into the app. Refusing the others keeps
 * the app from showing figures measured on weights it does not run.
 */
function checkMeasuredWeights(file: string, command: string, folder: string, folderSha256: string): void {
  const named = /--generator\s+(\S+)/.exec(command)?.[1];
  if (!named) return;
  const measured = path.resolve(named);
  if (measured === path.resolve(folder) || measured === path.resolve(path.dirname(folder))) return;
  const weights = path.join(measured, 'weights.bin');
  if (!existsSync(weights))
    throw new Error(`${file} was measured with ${named}, which has no weights.bin to compare with ${folder}`);
  if (sha256OfFile(weights) !== folderSha256)
    throw new Error(`${file} was measured with ${named}, whose weights are not those in ${folder}`);
}

/**
 * Reports record the SHA-256 of the weights behind each Aclipse row. Every row at a budget these weights serve must
 * name them: a report made on the shipped folder before its weights were swapped measured other weights, and its
 * command line alone cannot tell. Older reports, without the record, fall back to `checkMeasuredWeights`.
 */
function checkRecordedWeights(file: string, report: ExternalReportLike, folder: string, folderSha256: string): void {
  const rows = report.sets.flatMap((s) =>
    s.summaries.flatMap((r) => (r.method === 'aclipse' && r.budgetDb !== null ? [{ ...r, budgetDb: r.budgetDb }] : [])),
  );
  for (const r of servedBy(folder, rows))
    if (r.weightsSha256 !== undefined && r.weightsSha256 !== folderSha256)
      throw new Error(`${file}: its rows at ${r.budgetDb} dB were measured with weights other than those in ${folder}`);
}

/**
 * The claims made at budgets served by the weights in `folder`: the generator folder itself (its base weights) or one
 * of the band folders its bands.json names. A folder outside any bands.json serves every budget.
 */
function servedBy<C extends { budgetDb: number }>(folder: string, claims: C[]): C[] {
  for (const [generatorDir, self] of [
    [folder, true],
    [path.dirname(folder), false],
  ] as const) {
    const file = path.join(generatorDir, 'bands.json');
    if (!existsSync(file)) continue;
    const bands = parseBands(JSON.parse(readFileSync(file, 'utf8')));
    if (self) return sameBand(claims, bands, -Infinity);
    const band = bands.find((b) => path.resolve(generatorDir, b.path) === path.resolve(folder));
    if (band) return sameBand(claims, bands, band.fromDb);
  }
  return claims;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
