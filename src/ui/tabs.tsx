/**
 * The app's tabs. A feature adds itself here: an id (also the URL hash), a label and a component.
 */
import type { ComponentType } from 'react';
import { ClipTab } from './components/ClipTab';
import { EngineTab } from './components/EngineTab';

export interface TabDef {
  id: string;
  label: string;
  component: ComponentType;
}

export const TABS: TabDef[] = [
  { id: 'clip', label: 'Clip', component: ClipTab },
  { id: 'engine', label: 'Engine', component: EngineTab },
];
