/** Dependency-free SVG figures for the evaluation report (they render on GitHub and in any browser). */

export interface FrontierSeries {
  label: string;
  colour: string;
  /** Points in the order they are joined (e.g. by increasing SNR), with a small label each. */
  points: { wa: number; wer: number; label: string }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** WER (privacy, up is better) against WA (utility, right is better): the privacy–utility frontier. */
export function frontierSvg(series: FrontierSeries[], title: string, original?: { wa: number; wer: number }): string {
  const w = 720;
  const h = 480;
  const m = { l: 64, r: 200, t: 44, b: 52 };
  const all = series.flatMap((s) => s.points).concat(original ? [{ ...original, label: '' }] : []);
  const waMin = Math.max(0, Math.floor((Math.min(...all.map((p) => p.wa)) * 100 - 5) / 10) * 10) / 100;
  // WER can pass 100 % (insertions), so the axis follows the data, rounded up to the tick step.
  const werTop = Math.max(...all.map((p) => p.wer)) + 0.05;
  const werStep = werTop > 2 ? 0.5 : werTop > 1 ? 0.2 : 0.1;
  const werMax = Math.ceil(werTop / werStep) * werStep;
  const x = (wa: number) => m.l + ((wa - waMin) / (1 - waMin)) * (w - m.l - m.r);
  const y = (wer: number) => h - m.b - (wer / werMax) * (h - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${m.l}" y="24" font-size="15" font-weight="600">${esc(title)}</text>`,
  ];
  // Ticks on round percentages: every 10 points of WA, every 10 or 20 points of WER.
  for (let wa = waMin; wa <= 1 + 1e-9; wa += 0.1) {
    out.push(`<line x1="${x(wa)}" y1="${m.t}" x2="${x(wa)}" y2="${h - m.b}" stroke="#eee"/>`);
    out.push(`<text x="${x(wa)}" y="${h - m.b + 16}" text-anchor="middle" fill="#555">${(wa * 100).toFixed(0)}</text>`);
  }
  for (let wer = 0; wer <= werMax + 1e-9; wer += werStep) {
    out.push(`<line x1="${m.l}" y1="${y(wer)}" x2="${w - m.r}" y2="${y(wer)}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${y(wer) + 4}" text-anchor="end" fill="#555">${(wer * 100).toFixed(0)}</text>`);
  }
  out.push(`<text x="${(m.l + w - m.r) / 2}" y="${h - 12}" text-anchor="middle">emotion WA % (utility →)</text>`);
  out.push(
    `<text transform="translate(16 ${(m.t + h - m.b) / 2}) rotate(-90)" text-anchor="middle">ASR WER % (privacy →)</text>`,
  );
  if (original) {
    out.push(
      `<circle cx="${x(original.wa)}" cy="${y(original.wer)}" r="6" fill="none" stroke="#000" stroke-width="2"/>`,
    );
    out.push(`<text x="${x(original.wa) + 8}" y="${y(original.wer) + 4}">original</text>`);
  }
  series.forEach((s, i) => {
    const pts = s.points.map((p) => `${x(p.wa).toFixed(1)},${y(p.wer).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const p of s.points) {
      out.push(
        `<circle cx="${x(p.wa).toFixed(1)}" cy="${y(p.wer).toFixed(1)}" r="4" fill="${s.colour}"><title>${esc(`${s.label} ${p.label}: WA ${(p.wa * 100).toFixed(1)}, WER ${(p.wer * 100).toFixed(1)}`)}</title></circle>`,
      );
      out.push(
        `<text x="${(x(p.wa) + 6).toFixed(1)}" y="${(y(p.wer) - 6).toFixed(1)}" font-size="10" fill="${s.colour}">${esc(p.label)}</text>`,
      );
    }
    const ly = m.t + 10 + i * 20;
    out.push(`<rect x="${w - m.r + 16}" y="${ly - 9}" width="14" height="10" fill="${s.colour}"/>`);
    out.push(`<text x="${w - m.r + 36}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A confusion matrix as a heat map with counts and row percentages (paper Fig. 7). */
export function confusionSvg(matrix: number[][], classes: readonly string[], title: string): string {
  const cell = 78;
  const m = { l: 90, t: 64 };
  const w = m.l + cell * classes.length + 20;
  const h = m.t + cell * classes.length + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="8" y="20" font-size="14" font-weight="600">${esc(title)}</text>`,
    `<text x="${m.l + (cell * classes.length) / 2}" y="40" text-anchor="middle" fill="#555">predicted</text>`,
  ];
  classes.forEach((c, j) =>
    out.push(`<text x="${m.l + j * cell + cell / 2}" y="${m.t - 8}" text-anchor="middle">${esc(c)}</text>`),
  );
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    out.push(`<text x="${m.l - 8}" y="${m.t + i * cell + cell / 2 + 4}" text-anchor="end">${esc(classes[i])}</text>`);
    row.forEach((v, j) => {
      const p = total > 0 ? v / total : 0;
      // White → deep blue by row share; text flips to white on dark cells.
      const shade = Math.round(255 - p * 200);
      const fill = `rgb(${shade},${Math.round(255 - p * 140)},255)`;
      const x0 = m.l + j * cell;
      const y0 = m.t + i * cell;
      out.push(`<rect x="${x0}" y="${y0}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"/>`);
      const tc = p > 0.55 ? 'white' : '#111';
      out.push(
        `<text x="${x0 + cell / 2}" y="${y0 + cell / 2 - 2}" text-anchor="middle" fill="${tc}" font-size="15">${v}</text>`,
      );
      out.push(
        `<text x="${x0 + cell / 2}" y="${y0 + cell / 2 + 15}" text-anchor="middle" fill="${tc}">${(p * 100).toFixed(0)}%</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
