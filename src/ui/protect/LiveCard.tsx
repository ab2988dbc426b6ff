/**
 * Live protection on the Protect screen: start/stop, whether to hear the protected voice, and how it is going
 * (latency, load, SNR so far). On stop the original and protected recordings appear as two clips.
 */
import { useState } from 'react';
import { claimsShown } from '../../core/claims';
import { db } from '../format';
import { startLive, stopLive, useLive } from '../live';
import { activeGeneratorOf, useAppStore } from '../store';
import { InlineMessages } from '../shared/Messages';
import { ExternalClaims } from './ExternalClaims';

export function LiveCard() {
  const live = useLive();
  const settings = useAppStore((s) => s.settings);
  const engineReady = useAppStore((s) => s.engine?.phase === 'ready');
  const [play, setPlay] = useState(false);
  const active = useAppStore((s) => activeGeneratorOf(s.models.report));
  const running = live.status === 'running' || live.status === 'stopping';
  // What the stream itself was measured to do: whole-clip claims say nothing about 40 ms hops.
  const liveClaims =
    settings.method === 'aclipse' && active ? claimsShown(active.claims, active.bands, settings.budgetDb, true) : [];
  return (
    <section className="card" aria-labelledby="live-title" data-testid="live-card" data-status={live.status}>
      <h2 className="card-title" id="live-title">
        Live protection
      </h2>
      <p className="hint">
        Speak and hear (or record) yourself protected as you go, with the method and budget above. The original is
        recorded beside it; both become clips when you stop.
      </p>
      <div className="row">
        {running ? (
          <button
            type="button"
            className="button button-primary"
            disabled={live.status === 'stopping'}
            onClick={() => void stopLive()}
            data-testid="live-stop"
          >
            {live.status === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            disabled={!engineReady || live.status === 'starting'}
            onClick={() => void startLive({ method: settings.method, budgetDb: settings.budgetDb, play })}
            data-testid="live-start"
          >
            {live.status === 'starting' ? 'Starting…' : 'Start live'}
          </button>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={play}
            disabled={running}
            onChange={(e) => setPlay(e.currentTarget.checked)}
            data-testid="live-play"
          />
          Play the protected voice (use headphones: speakers would feed it back into the microphone)
        </label>
      </div>
      <ExternalClaims claims={liveClaims} budgetDb={settings.budgetDb} live />
      {(running || live.latencyMs !== null) && (
        <dl className="facts facts-tight live-stats" data-testid="live-stats">
          <div>
            <dt>Recorded</dt>
            <dd data-testid="live-seconds">{live.seconds.toFixed(1)} s</dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd data-testid="live-latency" data-value={live.latencyMs?.toFixed(0) ?? ''}>
              {live.latencyMs === null ? '…' : `${Math.round(live.latencyMs)} ms`}
              {live.algorithmicMs !== null && (
                <span className="muted"> ({Math.round(live.algorithmicMs)} ms of it the method’s look-ahead)</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Load</dt>
            <dd data-testid="live-load">
              {live.load === null ? '…' : `${Math.round(live.load * 100)} % of real time`}
            </dd>
          </div>
          <div>
            <dt>SNR so far</dt>
            <dd data-testid="live-snr">{live.snrDb === null ? '…' : db(live.snrDb)}</dd>
          </div>
        </dl>
      )}
      {live.error && live.status === 'idle' && (
        <p className="inline-error" role="alert" data-testid="live-error">
          {live.error}
        </p>
      )}
      <InlineMessages prefixes={['live:']} />
    </section>
  );
}
