import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEngine } from './engine/useEngine';
import { App } from './ui/App';
import { useAppStore } from './ui/store';
import './ui/styles.css';

// The engine starts at once, in its worker, while the page renders; tfjs never enters the main bundle.
const engine = getEngine();
useAppStore.setState({ engine: engine.getState() });
engine.subscribe(() => useAppStore.setState({ engine: engine.getState() }));
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
