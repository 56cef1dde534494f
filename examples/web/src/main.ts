import './style.css';
import { chooseBackend } from './backend';
import { setupBev } from './bev-ui';
import { setupHopfield } from './hopfield-ui';

const status = document.getElementById('backend')!;

async function main(): Promise<void> {
  const requested = new URLSearchParams(location.search).get('backend');
  try {
    const choice = await chooseBackend(requested);
    status.dataset.backend = choice.backend;
    status.textContent = `Backend: ${choice.detail}.`;
    if (choice.skipped.length > 0) status.title = `Skipped — ${choice.skipped.join('; ')}`;
  } catch (err) {
    status.dataset.backend = 'none';
    status.textContent = `No backend: ${err instanceof Error ? err.message : String(err)}`;
    return;
  }
  setupHopfield();
  setupBev();
  document.body.dataset.ready = 'true';
}

void main();
