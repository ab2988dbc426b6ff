/**
 * External attackers: speech recognizers that no model here was trained on or against (Whisper tiny.en through
 * faster-whisper, PocketSphinx 5.1.1), for evaluation and reports only. They never enter a training loss.
 *
 * Each attacker is one long-lived Python process (attackers/aclipse_attackers/server.py) that loads its model once and
 * answers one JSON line per request on stdin/stdout; this module is its only Node client. Requests may be issued
 * concurrently: they are written in order and the server answers in order, so each response is matched by its id.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';

export const ATTACKER_KINDS = ['whisper', 'pocketsphinx'] as const;
export type AttackerKind = (typeof ATTACKER_KINDS)[number];

export const ATTACKER_LABELS: Record<AttackerKind, string> = {
  whisper: 'Whisper tiny.en',
  pocketsphinx: 'PocketSphinx 5.1.1',
};

/** The command that builds the environment; every "not installed" message names it. */
export const ATTACKERS_SETUP_COMMAND = 'npm run setup:attackers';

export class AttackersMissingError extends Error {
  constructor(detail: string) {
    super(
      `The external attackers' Python environment is missing (${detail}). Install it with: ${ATTACKERS_SETUP_COMMAND}`,
    );
    this.name = 'AttackersMissingError';
  }
}

export interface AttackerHello {
  /** e.g. "whisper-tiny.en" */
  attacker: string;
  /** What the server loaded and how it decodes (model, package, decoding options). */
  config: Record<string, unknown>;
}

export interface Transcript {
  text: string;
  /** Time the recognizer spent on the clip, in ms (its own measure, without the pipe). */
  ms: number;
}

export interface AttackerOptions {
  /** Repository root holding attackers/ (default: the current working directory). */
  root?: string;
  /** Replaces the Python command (tests drive a fake attacker this way): argv, the attacker kind is appended. */
  command?: readonly string[];
  /** How long to wait for the model to load. */
  startTimeoutMs?: number;
  /** Per-request limit; a recognizer stuck on one clip is killed rather than hanging a report. */
  requestTimeoutMs?: number;
  /** CPU threads the recognizer may use (ACLIPSE_ATTACKER_THREADS). */
  threads?: number;
}

interface Pending {
  resolve: (t: Transcript) => void;
  reject: (e: Error) => void;
  /** Armed only while the server works on this request (it reads one at a time), so queued ones never time out. */
  timer: ReturnType<typeof setTimeout> | null;
}

/** The Python interpreter of attackers/.venv, or an error that names the setup command. */
export function attackersPython(root = process.cwd()): string {
  const python = path.join(root, 'attackers', '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new AttackersMissingError(`${path.relative(root, python)} not found`);
  return python;
}

/** True when the environment exists (for tests that may skip when run by hand without it). */
export function attackersInstalled(root = process.cwd()): boolean {
  return existsSync(path.join(root, 'attackers', '.venv', 'bin', 'python'));
}

function float32ToBase64(samples: Float32Array): string {
  // Little-endian on every platform Node runs on here; the server reads '<f4'.
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

export class Attacker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: Error | null = null;
  private stderrTail = '';

  private constructor(
    readonly kind: AttackerKind,
    readonly hello: AttackerHello,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly requestTimeoutMs: number,
    lines: Interface,
  ) {
    lines.on('line', (line) => this.onLine(line));
    // A write to a process that just died fails with EPIPE; the exit handler below rejects what was pending.
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(
        `${ATTACKER_LABELS[kind]} exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
      for (const p of this.pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(this.exited);
      }
      this.pending.clear();
    });
  }

  /** Starts the attacker's process and waits until its model is loaded. */
  static async start(kind: AttackerKind, opts: AttackerOptions = {}): Promise<Attacker> {
    if (!ATTACKER_KINDS.includes(kind))
      throw new Error(`Unknown attacker "${String(kind)}" (one of ${ATTACKER_KINDS.join(', ')})`);
    const root = opts.root ?? process.cwd();
    const argv = opts.command
      ? [...opts.command, kind]
      : [attackersPython(root), '-m', 'aclipse_attackers.server', kind];
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, {
      cwd: path.join(root, 'attackers'),
      env: {
        ...process.env,
        ACLIPSE_ATTACKER_THREADS: String(opts.threads ?? 1),
        // Belt and braces: the weights are local, so a hub must never be asked.
        HF_HUB_OFFLINE: '1',
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const hello = await new Promise<AttackerHello>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${ATTACKER_LABELS[kind]} did not load within ${(opts.startTimeoutMs ?? 120_000) / 1000} s`));
      }, opts.startTimeoutMs ?? 120_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      child.once('error', (e) => fail(new Error(`Cannot start ${ATTACKER_LABELS[kind]}: ${e.message}`)));
      child.once('exit', (code) =>
        fail(
          new Error(
            `${ATTACKER_LABELS[kind]} exited before it was ready (code ${code})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
          ),
        ),
      );
      const onHello = (line: string) => {
        let msg: { ready?: boolean; error?: string; attacker?: string; config?: Record<string, unknown> };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return; // not protocol (a library that printed while loading): wait for the hello
        }
        clearTimeout(timer);
        lines.off('line', onHello);
        if (!msg.ready) {
          child.kill('SIGKILL');
          const why = msg.error ?? 'not ready';
          reject(
            /ModuleNotFoundError|ImportError/.test(why)
              ? new AttackersMissingError(why)
              : new Error(`${ATTACKER_LABELS[kind]} failed to load: ${why}`),
          );
          return;
        }
        resolve({ attacker: msg.attacker ?? kind, config: msg.config ?? {} });
      };
      lines.on('line', onHello);
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    return new Attacker(kind, hello, child, opts.requestTimeoutMs ?? 300_000, lines);
  }

  get label(): string {
    return ATTACKER_LABELS[this.kind];
  }

  /** True once the process has exited (crashed, killed, or closed). */
  get dead(): boolean {
    return this.exited !== null;
  }

  /** The recognizer's transcript of 16 kHz mono samples. */
  transcribe(samples: Float32Array): Promise<Transcript> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<Transcript>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, timer: null });
      this.armHead();
      this.child.stdin.write(`${JSON.stringify({ id, samples: float32ToBase64(samples) })}\n`);
    });
  }

  /** Starts the clock of the oldest pending request: the one the server is reading now. */
  private armHead(): void {
    const head = this.pending.entries().next();
    if (head.done || head.value[1].timer !== null) return;
    const [id, p] = head.value;
    p.timer = setTimeout(() => {
      this.pending.delete(id);
      p.reject(new Error(`${this.label} took over ${this.requestTimeoutMs / 1000} s on one clip; stopping it`));
      this.child.kill('SIGKILL');
    }, this.requestTimeoutMs);
  }

  private onLine(line: string): void {
    let msg: { id?: number; text?: string; ms?: number; error?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return; // not protocol: the server keeps library output on stderr, so this is noise to ignore
    }
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (!p || msg.id === undefined) return;
    this.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    this.armHead();
    if (typeof msg.error === 'string') p.reject(new Error(`${this.label}: ${msg.error}`));
    else p.resolve({ text: msg.text ?? '', ms: msg.ms ?? NaN });
  }

  /** Ends the process (stdin closed: the server finishes what it has and exits). */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  }
}

/** Starts every attacker (concurrently: each loads its own model), each restarted if its process dies. */
export async function startAttackers(
  kinds: readonly AttackerKind[] = ATTACKER_KINDS,
  opts: AttackerOptions = {},
): Promise<RestartingAttacker[]> {
  const started = await Promise.allSettled(kinds.map((k) => RestartingAttacker.start(k, opts)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return started.map((s) => (s as PromiseFulfilledResult<RestartingAttacker>).value);
}

/**
 * An attacker that survives its process: when the process dies (killed, out of memory), the request that was in
 * flight is retried once on a fresh process, so a long evaluation does not end on one crash. Restarts are capped.
 */
export class RestartingAttacker {
  restarts = 0;
  private constructor(
    private current: Attacker,
    private readonly opts: AttackerOptions,
    private readonly maxRestarts: number,
  ) {}

  static async start(kind: AttackerKind, opts: AttackerOptions = {}, maxRestarts = 5): Promise<RestartingAttacker> {
    return new RestartingAttacker(await Attacker.start(kind, opts), opts, maxRestarts);
  }

  get kind(): AttackerKind {
    return this.current.kind;
  }
  get hello(): AttackerHello {
    return this.current.hello;
  }
  get label(): string {
    return this.current.label;
  }

  private restarting: Promise<Attacker> | null = null;

  private async revive(): Promise<Attacker> {
    if (!this.current.dead) return this.current;
    if (!this.restarting) {
      if (this.restarts >= this.maxRestarts)
        throw new Error(`${this.label} died ${this.restarts + 1} times; giving up`);
      this.restarts++;
      this.restarting = Attacker.start(this.current.kind, this.opts).finally(() => (this.restarting = null));
    }
    this.current = await this.restarting;
    return this.current;
  }

  async transcribe(samples: Float32Array): Promise<Transcript> {
    try {
      return await (await this.revive()).transcribe(samples);
    } catch (e) {
      if (!this.current.dead) throw e;
      return (await this.revive()).transcribe(samples);
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
