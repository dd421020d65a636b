/** A stored adding-problem run keeps its test MSE and its missing accuracy through an export and import. */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/experiment/presets.ts';
import { encodeExperiment } from '../../src/experiment/urlCodec.ts';
import { RunHistory, type StoredRun } from '../../src/persist/runHistory.ts';

let history: RunHistory;
beforeEach(async () => {
  history = await RunHistory.open('adding-history');
});
afterEach(() => history.close());

const config = PRESETS.adding.config;
const stored: StoredRun = {
  id: 'a1:clipped',
  session: 'a1',
  createdAt: 1,
  updatedAt: 1,
  side: 'clipped',
  preset: 'adding',
  link: encodeExperiment(config, 'adding'),
  config,
  clip: config.clip,
  phase: 'finished',
  step: 2000,
  backend: 'wasm',
  layout: {
    params: [{ name: 'rnn0.W_ih', layer: 'rnn0', size: 64 }],
    layers: ['rnn0', 'out'],
    hiddenLayers: 1,
    timeSteps: 30,
    classifier: false,
  },
  divergence: null,
  error: null,
};

describe('the run history and the adding problem', () => {
  it('stores a test MSE without an accuracy, and an export reads back the same', async () => {
    await history.putRun(stored);
    await history.appendEval('a1:clipped', { step: 2000, testAccuracy: null, testLoss: 0.038, examples: 500 });
    const [id] = await history.importRuns(await history.exportRuns(['a1:clipped']));
    if (id === undefined) throw new Error('the import returned no id');
    expect(await history.loadEvals(id)).toEqual([{ step: 2000, testAccuracy: null, testLoss: 0.038, examples: 500 }]);
    expect((await history.getRun(id))?.config).toEqual(config);
  });
});
