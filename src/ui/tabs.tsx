/**
 * The app's tabs. A feature adds itself here: an id (also the URL hash), a label and a component.
 */
import type { ComponentType } from 'react';
import { EngineTab } from './engine-tab/EngineTab';
import { EvaluateTab } from './evaluate/EvaluateTab';
import { ProtectTab } from './protect/ProtectTab';
import { SpectraTab } from './spectra/SpectraTab';
import { TrainTab } from './train/TrainTab';

export interface TabDef {
  id: string;
  label: string;
  /** One line for the tab's tooltip: who it is for. */
  hint: string;
  component: ComponentType;
}

export const TABS: TabDef[] = [
  { id: 'protect', label: 'Protect', hint: 'Protect your clips and hear the difference', component: ProtectTab },
  { id: 'spectra', label: 'Spectra', hint: 'What changed in the spectrum, and where', component: SpectraTab },
  { id: 'evaluate', label: 'Evaluate', hint: 'Score methods on a dataset', component: EvaluateTab },
  { id: 'train', label: 'Train', hint: 'Train the two-stage generator in the browser', component: TrainTab },
  { id: 'engine', label: 'Engine', hint: 'Compute backend and engine check', component: EngineTab },
];

/** Old links (#clip) still land on the right tab. */
export const TAB_ALIASES: Record<string, string> = { clip: 'protect' };
