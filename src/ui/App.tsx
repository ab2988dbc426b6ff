import { useEffect, useState } from 'react';
import { addClipsFromFiles } from './actions';
import { Messages } from './shared/Messages';
import { TopBar } from './shared/TopBar';
import { OfflineStatus, UpdatePrompt } from './pwa/OfflineStatus';
import { filesSourceFromDrop } from '../engine/files';
import { openDataset } from './shared/jobs';
import { useAppStore } from './store';
import { TAB_ALIASES, TABS } from './tabs';

function tabFromHash(): string | null {
  const raw = location.hash.replace(/^#/, '');
  const id = TAB_ALIASES[raw] ?? raw;
  return TABS.some((t) => t.id === id) ? id : null;
}

/**
 * A drop on the Evaluate or Train tab that holds a folder opens it as a dataset; anything else dropped anywhere
 * is loaded as clips (without this the browser would navigate to the file and the session be lost).
 */
function handleDrop(dt: DataTransfer | null) {
  const { activeTab, setTab } = useAppStore.getState();
  const hasFolder = !!dt && [...dt.items].some((item) => item.kind === 'file' && item.webkitGetAsEntry()?.isDirectory);
  if ((activeTab === 'evaluate' || activeTab === 'train') && hasFolder && dt) {
    // The entries must be taken now, inside the drop event; reading them is async.
    void filesSourceFromDrop(dt).then((source) => {
      const name = source.kind === 'files' && source.name ? `“${source.name}”` : 'the dropped folder';
      void openDataset(source, 'auto', name);
    });
    return;
  }
  const files = Array.from(dt?.files ?? []);
  if (files.length) {
    if (activeTab !== 'protect') setTab('protect');
    void addClipsFromFiles(files);
  }
}

export function App() {
  const activeTab = useAppStore((s) => s.activeTab);
  const setTab = useAppStore((s) => s.setTab);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const fromHash = tabFromHash();
    if (fromHash) setTab(fromHash);
    const onHash = () => {
      const id = tabFromHash();
      if (id) setTab(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [setTab]);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      handleDrop(e.dataTransfer);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  const selectTab = (id: string) => {
    setTab(id);
    history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
  };

  const datasetDrop = activeTab === 'evaluate' || activeTab === 'train';
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar tabs={TABS} activeTab={activeTab} onSelectTab={selectTab} />
      <main className="main" id="main" tabIndex={-1}>
        <UpdatePrompt />
        <Messages />
        {TABS.map(({ id, component: Tab }) =>
          id === activeTab ? (
            <section key={id} role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} className="panel">
              <Tab />
            </section>
          ) : null,
        )}
      </main>
      <footer className="footer">
        Everything runs in this browser tab. Nothing you load or record is uploaded; it is kept on this device (see
        Engine → Your data). <OfflineStatus />
      </footer>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>{datasetDrop ? 'Drop a dataset folder (or audio clips)' : 'Drop audio to add it'}</div>
        </div>
      )}
    </div>
  );
}
