import { useEffect, useState } from 'react';
import { addClipsFromFiles } from './actions';
import { Messages } from './components/Messages';
import { TopBar } from './components/TopBar';
import { useAppStore } from './store';
import { TABS } from './tabs';

function tabFromHash(): string | null {
  const id = location.hash.replace(/^#/, '');
  return TABS.some((t) => t.id === id) ? id : null;
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

  // Files dropped anywhere are loaded; without this the browser would navigate to the file and the session be lost.
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
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length) {
        useAppStore.getState().setTab('clip');
        void addClipsFromFiles(files);
      }
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

  return (
    <div className="app">
      <TopBar tabs={TABS} activeTab={activeTab} onSelectTab={selectTab} />
      <main className="main" id="main">
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
        Everything runs in this browser tab. Nothing you load or record is uploaded.
      </footer>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop audio to add it</div>
        </div>
      )}
    </div>
  );
}
