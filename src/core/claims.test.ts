import { describe, expect, it } from 'vitest';
import { claimsFromReport, claimsShown, parseClaims, type ExternalReportLike } from './claims';
import { LIVE_DEFAULTS } from './live';

const report: ExternalReportLike = {
  command: 'npm run eval -- --parts external',
  date: '2026-12-01',
  attackers: [{ id: 'whisper', label: 'Whisper tiny.en' }],
  sets: [
    {
      name: 'real',
      clips: 281,
      summaries: [
        { method: 'original', budgetDb: null, external: { whisper: { wer: { rate: 0.056 } } } },
        { method: 'aclipse', budgetDb: 10, external: { whisper: { wer: { rate: 1.037 }, werNoise: { rate: 0.105 } } } },
        { method: 'noise', budgetDb: 10, external: { whisper: { wer: { rate: 0.104 } } } },
      ],
    },
    {
      name: 'test',
      clips: 3,
      summaries: [{ method: 'aclipse', budgetDb: 10, external: { whisper: { wer: { rate: 1 }, werNoise: null } } }],
    },
  ],
};

describe('claims', () => {
  it('takes one claim per attacker, set and Aclipse budget, with the clean and same-SNR noise WER beside it', () => {
    const c = claimsFromReport(report);
    expect(c).toEqual([
      {
        attacker: 'Whisper tiny.en',
        set: 'real',
        clips: 281,
        budgetDb: 10,
        cleanWer: 0.056,
        protectedWer: 1.037,
        noiseWer: 0.105,
        command: report.command,
        date: '2026-12-01',
      },
    ]);
  });

  it('round-trips through the shipped file and refuses malformed ones', () => {
    const file = { format: 'aclipse-claims/1', weightsSha256: 'ab12', claims: claimsFromReport(report) };
    expect(parseClaims(JSON.parse(JSON.stringify(file)), 'ab12')).toEqual(file.claims);
    // claims measured on other weights do not carry over to these
    expect(parseClaims(file, 'cd34')).toEqual([]);
    expect(parseClaims({ ...file, format: 'other' }, 'ab12')).toEqual([]);
    expect(parseClaims(null, 'ab12')).toEqual([]);
    expect(parseClaims({ ...file, claims: [{ ...file.claims[0], cleanWer: 'x' }] }, 'ab12')).toEqual([]);
  });

  it('marks claims from a live-stream report and keeps each screen to its own kind', () => {
    const whole = claimsFromReport(report);
    const live = claimsFromReport({ ...report, live: true, liveSettings: { ...LIVE_DEFAULTS } });
    expect(whole[0]!.live).toBeUndefined();
    expect(live[0]!.live).toBe(true);
    expect(live[0]!.liveSettings).toEqual(LIVE_DEFAULTS);
    const both = [...whole, ...live];
    expect(claimsShown(both, [], 10, true)).toEqual(live);
    expect(claimsShown(both, [], 10, false)).toEqual(whole);
    // and only the claims of the weights that serve the budget: from 20 dB up other weights protect
    expect(claimsShown(both, [{ fromDb: 20 }], 10, true)).toEqual(live);
    expect(claimsShown(both, [{ fromDb: 20 }], 20, true)).toEqual([]);
    const file = { format: 'aclipse-claims/1', weightsSha256: 'ab12', claims: both };
    expect(parseClaims(JSON.parse(JSON.stringify(file)), 'ab12')).toEqual(both);
    expect(parseClaims({ ...file, claims: [{ ...live[0], live: 'yes' }] }, 'ab12')).toEqual([]);
  });

  it('shows a live claim only when it was measured with the settings the app streams with now', () => {
    const older = claimsFromReport({ ...report, live: true, liveSettings: { ...LIVE_DEFAULTS, localCapDb: 6 } });
    const unstated = claimsFromReport({ ...report, live: true });
    const current = claimsFromReport({ ...report, live: true, liveSettings: { ...LIVE_DEFAULTS } });
    expect(unstated[0]!.liveSettings).toBeUndefined();
    expect(claimsShown([...older, ...unstated, ...current], [], 10, true)).toEqual(current);
  });
});
