import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEngine } from './engine/useEngine';
import { App } from './ui/App';
import { onEngineGeneration } from './ui/shared/jobs';
import { installUnloadGuard, startPersistence } from './ui/persist';
import { keepOffline, startOffline } from './ui/pwa/offline';
import { useAppStore } from './ui/store';
import { applyTheme } from './ui/theme';
import './ui/styles.css';

applyTheme();
// Saved clips, results and generators come back while the engine starts.
void startPersistence();
installUnloadGuard();
void startOffline();

// The engine starts at once, in its worker, while the page renders; tfjs never enters the main bundle.
const engine = getEngine();
let readyGeneration = 0;
const mirror = () => {
  const state = engine.getState();
  useAppStore.setState({ engine: state });
  // Each (re)started worker begins without models: load them once it is ready.
  if (state.phase === 'ready' && state.generation !== readyGeneration) {
    readyGeneration = state.generation;
    // The wasm binary the engine just loaded (from the HTTP cache now) is kept for offline use.
    if (state.report?.backend === 'wasm')
      keepOffline([`${import.meta.env.BASE_URL}tfjs-wasm/tfjs-backend-wasm-simd.wasm`]);
    onEngineGeneration(state.generation);
  }
};
mirror();
engine.subscribe(mirror);
void engine.start().catch(() => undefined); // failures are in the engine state, shown by the UI

if (new URLSearchParams(location.search).has('debug')) {
  // Handles for e2e tests and console debugging; opt-in so normal pages expose nothing.
  Object.assign(window, { __aclipse: { engine, store: useAppStore } });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
