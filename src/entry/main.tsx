import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../ui/App.tsx';
import { simulateFault } from '../store/session.ts';
import { startLinkSync } from '../ui/linkSync.ts';
import { refreshHistory } from '../store/historySession.ts';
import './ui/styles.css';

startLinkSync();
// The history of earlier visits, from IndexedDB.
void refreshHistory();
// Fault injection for the browser tests and for classroom "what if the worker dies?" demos.
Object.assign(window, { gradientLab: { simulateFault } });
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
