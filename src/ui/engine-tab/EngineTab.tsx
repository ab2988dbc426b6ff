import { BACKEND_NAMES } from '../../engine/api';
import { useEngineJob } from '../../engine/useEngine';
import { DataPanel } from '../persist/DataPanel';
import { useAppStore } from '../store';
import { StatusBadge } from '../shared/Widgets';

function BackendLinks({ current }: { current: string | null }) {
  const link = (b: string | null) => {
    const params = new URLSearchParams(location.search);
    if (b) params.set('backend', b);
    else params.delete('backend');
    const q = params.toString();
    return `${location.pathname}${q ? `?${q}` : ''}#engine`;
  };
  return (
    <p className="backend-links">
      Force a backend (reloads the page):{' '}
      {[null, ...BACKEND_NAMES].map((b) => (
        <a key={b ?? 'auto'} href={link(b)} aria-current={b === current ? 'page' : undefined} className="pill">
          {b ?? 'automatic'}
        </a>
      ))}
    </p>
  );
}

function SelfTest() {
  const engine = useAppStore((s) => s.engine);
  const job = useEngineJob('selfTest');
  const ready = engine?.phase === 'ready';
  return (
    <div className="card">
      <h2 className="card-title">Engine check</h2>
      <p className="muted">
        Runs a small fixed tensor program (matrix product, 1-D convolution, softmax, reductions and a gradient) on the
        active backend, and compares each result with its expected value: every backend should agree to about four
        digits (relative tolerance 0.1 %).
      </p>
      <div className="row">
        <button
          type="button"
          className="button button-primary"
          disabled={!ready || job.running}
          onClick={() => void job.run({ size: 16 })}
          data-testid="selftest-run"
        >
          Run check
        </button>
        {job.running && (
          <>
            <span className="busy" role="status">
              <span className="spinner" aria-hidden="true" />
              {job.progress ? job.progress.stage : 'starting'}
              {engine?.report?.backend === 'webgpu' &&
                ' (the first WebGPU run compiles shaders; on a software adapter this takes a while)'}
            </span>
            <button type="button" className="button button-ghost" onClick={job.cancel} data-testid="selftest-cancel">
              Cancel
            </button>
          </>
        )}
      </div>
      {job.error && (
        <p className="inline-error" role="alert" data-testid="selftest-error">
          {job.error}
        </p>
      )}
      {job.result && (
        <div data-testid="selftest-result" data-backend={job.result.backend}>
          <p>
            Ran on <strong data-testid="selftest-backend">{job.result.backend}</strong> in {job.result.ms} ms:{' '}
            <strong data-testid="selftest-verdict" data-pass={String(job.result.checks.every((c) => c.pass))}>
              {job.result.checks.every((c) => c.pass)
                ? `all ${job.result.checks.length} checks pass`
                : `${job.result.checks.filter((c) => !c.pass).length} of ${job.result.checks.length} checks fail`}
            </strong>
            . Expected values are computed in double precision without TensorFlow.js.
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Quantity</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col" className="num">
                  Expected
                </th>
                <th scope="col" className="num">
                  Tolerance (±)
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {job.result.checks.map((c) => (
                <tr key={c.name} data-name={c.name} data-value={String(c.value)} data-pass={String(c.pass)}>
                  <td>{c.name}</td>
                  <td className="num">{c.value.toPrecision(7)}</td>
                  <td className="num">{c.expected.toPrecision(7)}</td>
                  <td className="num">{c.tolerance.toPrecision(2)}</td>
                  <td>
                    <StatusBadge status={c.pass ? 'done' : 'error'} text={c.pass ? 'Pass' : 'Fail'} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function EngineTab() {
  const engine = useAppStore((s) => s.engine);
  const report = engine?.report ?? null;
  return (
    <div className="engine-layout">
      <div className="card" data-testid="engine-report">
        <h2 className="card-title">Compute backend</h2>
        {engine?.phase === 'failed' ? (
          <p className="inline-error" role="alert" data-testid="engine-error">
            {engine.error}
          </p>
        ) : !report ? (
          <p className="busy">
            <span className="spinner" aria-hidden="true" /> Starting TensorFlow.js in a background worker…
          </p>
        ) : (
          <>
            <p className="lead">
              TensorFlow.js {report.tfjsVersion} runs on <strong data-testid="engine-backend">{report.backend}</strong>
              {report.forced ? ' (forced)' : ''}.
            </p>
            <p data-testid="engine-reason">{report.reason}</p>
            <dl className="facts">
              <div>
                <dt>WebGPU adapter</dt>
                <dd data-testid="engine-adapter">
                  {report.adapter
                    ? `${[report.adapter.vendor, report.adapter.architecture, report.adapter.device].filter(Boolean).join(' / ') || 'unnamed'}${report.adapter.isFallbackAdapter ? ' (software fallback)' : ''}`
                    : 'none'}
                </dd>
              </div>
              {report.adapter?.description && (
                <div>
                  <dt>Adapter description</dt>
                  <dd>{report.adapter.description}</dd>
                </div>
              )}
              <div>
                <dt>Start-up</dt>
                <dd>{report.initMs} ms</dd>
              </div>
            </dl>
            {report.skipped.length > 0 && (
              <>
                <h3 className="subhead">Not used</h3>
                <ul className="plain-list">
                  {report.skipped.map((s) => (
                    <li key={s.backend}>
                      <strong>{s.backend}</strong>: {s.why}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
        <BackendLinks current={engine?.forced ?? null} />
      </div>
      <SelfTest />
      <DataPanel />
    </div>
  );
}
