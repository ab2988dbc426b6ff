import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Attacker, AttackersMissingError, attackersPython, startAttackers } from './attackers';

const FAKE = [process.execPath, path.resolve('tests/fixtures/fake-attacker.mjs')];
const open: Attacker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
  delete process.env.FAKE_ATTACKER_MODE;
});

function clip(n: number, first: number): Float32Array {
  const x = new Float32Array(n);
  x[0] = first;
  return x;
}

describe('attacker bridge (fake attacker process)', () => {
  it('loads once and answers concurrent requests, each with its own transcript', async () => {
    const a = await Attacker.start('whisper', { command: FAKE });
    open.push(a);
    expect(a.hello.attacker).toMatch(/^fake-whisper@\d+$/);
    const sizes = [5, 800, 3, 16000, 42];
    const res = await Promise.all(sizes.map((n, i) => a.transcribe(clip(n, i / 10))));
    expect(res.map((r) => r.text)).toEqual(
      sizes.map((n, i) => `whisper heard ${n} samples starting ${(i / 10).toFixed(2)}`),
    );
    // Still the same process: no per-clip spawning.
    const again = await Attacker.start('whisper', { command: FAKE });
    open.push(again);
    expect(again.hello.attacker).not.toBe(a.hello.attacker);
    expect((await a.transcribe(clip(7, 0.5))).text).toBe('whisper heard 7 samples starting 0.50');
  });

  it('turns an error line into a rejection of that request only', async () => {
    const a = await Attacker.start('pocketsphinx', { command: FAKE });
    open.push(a);
    const bad = a.transcribe(new Float32Array(0));
    const good = a.transcribe(clip(9, 0.25));
    await expect(bad).rejects.toThrow(/PocketSphinx 5\.1\.1: ValueError: empty clip/);
    await expect(good).resolves.toMatchObject({ text: 'pocketsphinx heard 9 samples starting 0.25' });
  });

  it('rejects every pending request when the process dies, and later calls too', async () => {
    const a = await Attacker.start('whisper', { command: FAKE });
    const first = a.transcribe(clip(10, 0));
    const crash = a.transcribe(new Float32Array(13));
    const after = a.transcribe(clip(11, 0));
    await expect(first).resolves.toMatchObject({ text: 'whisper heard 10 samples starting 0.00' });
    await expect(crash).rejects.toThrow(/exited \(code 3\)/);
    await expect(after).rejects.toThrow(/exited/);
    await expect(a.transcribe(clip(4, 0))).rejects.toThrow(/exited/);
  });

  it('kills a recognizer that hangs on one clip', async () => {
    const a = await Attacker.start('whisper', { command: FAKE, requestTimeoutMs: 300 });
    await expect(a.transcribe(new Float32Array(17))).rejects.toThrow(/took over 0\.3 s/);
    await expect(a.transcribe(clip(4, 0))).rejects.toThrow(/exited/);
  });

  it('a broken environment is an error that names the setup command', async () => {
    process.env.FAKE_ATTACKER_MODE = 'broken-env';
    await expect(startAttackers(['whisper', 'pocketsphinx'], { command: FAKE })).rejects.toThrow(AttackersMissingError);
    await expect(Attacker.start('whisper', { command: FAKE })).rejects.toThrow(/npm run setup:attackers/);
  });

  it('a missing virtual environment is an error that names the setup command', () => {
    expect(() => attackersPython('/nonexistent-root')).toThrow(
      /attackers\/\.venv\/bin\/python not found.*npm run setup:attackers/,
    );
  });
});

describe('restarting attacker', () => {
  it('retries the request on a fresh process when the process dies, and gives up after the cap', async () => {
    const { RestartingAttacker } = await import('./attackers');
    const a = await RestartingAttacker.start('whisper', { command: FAKE }, 1);
    const first = a.hello.attacker;
    // 13 samples make the fake exit: the retry meets a fresh process, which dies on the same clip again.
    await expect(a.transcribe(new Float32Array(13))).rejects.toThrow(/exited|giving up/);
    expect(a.restarts).toBe(1);
    expect(a.hello.attacker).not.toBe(first);
    await expect(a.transcribe(clip(3, 0))).rejects.toThrow(/giving up/);
    await a.close();
  });

  it('carries on after one crash', async () => {
    const { RestartingAttacker } = await import('./attackers');
    const a = await RestartingAttacker.start('pocketsphinx', { command: FAKE }, 2);
    await expect(a.transcribe(new Float32Array(13))).rejects.toThrow();
    await expect(a.transcribe(clip(6, 0.5))).resolves.toMatchObject({
      text: 'pocketsphinx heard 6 samples starting 0.50',
    });
    await a.close();
  });
});

describe('request timeout', () => {
  it('counts only the time the server spends on a request, not its wait in the queue', async () => {
    const a = await Attacker.start('whisper', { command: FAKE, requestTimeoutMs: 400 });
    open.push(a);
    // Three slow clips of 250 ms each: the last waits 500 ms in the queue, longer than the timeout, and still succeeds.
    const res = await Promise.all([0, 1, 2].map(() => a.transcribe(new Float32Array(19))));
    expect(res.map((r) => r.text)).toEqual(['slow', 'slow', 'slow']);
  });
});
